"""What a project's own tests look like with the basalt_pytest fixtures (run by tests/e2e/test_recipes.py)."""


def test_put_and_get(dynamodb_table):
    table = dynamodb_table(hash_key="id")
    table.put_item(Item={"id": "1", "name": "Ada"})
    assert table.get_item(Key={"id": "1"})["Item"] == {"id": "1", "name": "Ada"}


def test_tables_are_isolated_per_test(dynamodb_client, dynamodb_table):
    table = dynamodb_table()
    assert dynamodb_client.scan(TableName=table.name)["Count"] == 0


def test_one_server_for_the_session(basalt_endpoint, dynamodb_client):
    assert basalt_endpoint.startswith("http://127.0.0.1:")
    assert isinstance(dynamodb_client.list_tables()["TableNames"], list)
