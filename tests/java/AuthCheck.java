// The AWS SDK for Java v2 against Basalt started with --auth=sigv4: a user's long-term key, a role's
// temporary credentials (session token), and the service's errors for an unknown key and a wrong secret.
// The SDK is the one DynamoDB Local bundles (DynamoDBLocal_lib/AwsJavaSdk-*.jar); tests/e2e/test_auth.py
// compiles this file against it and runs it with the server and principals in the environment:
//   BASALT_ENDPOINT, BASALT_TEST_USER_KEY/SECRET, BASALT_TEST_ROLE_KEY/SECRET/TOKEN, BASALT_TEST_TABLE.
// Prints one line per check and exits non-zero on the first that fails.

import java.net.URI;
import java.util.Map;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

public final class AuthCheck {
  private static DynamoDbClient client(AwsCredentials credentials) {
    return DynamoDbClient.builder()
        .endpointOverride(URI.create(System.getenv("BASALT_ENDPOINT")))
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
        .overrideConfiguration(c -> c.retryPolicy(RetryPolicy.none()))
        .build();
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      System.out.println("FAIL " + what);
      System.exit(1);
    }
    System.out.println("ok " + what);
  }

  // The error code and message of a call expected to fail ("" when it succeeded).
  private static String[] failure(Runnable call) {
    try {
      call.run();
      return new String[] {"", ""};
    } catch (DynamoDbException e) {
      return new String[] {e.awsErrorDetails().errorCode(), e.awsErrorDetails().errorMessage()};
    }
  }

  public static void main(String[] args) {
    String table = System.getenv("BASALT_TEST_TABLE");
    String userKey = System.getenv("BASALT_TEST_USER_KEY");
    try (DynamoDbClient user = client(AwsBasicCredentials.create(userKey, System.getenv("BASALT_TEST_USER_SECRET")))) {
      Map<String, AttributeValue> item =
          Map.of("pk", AttributeValue.fromS("java"), "v", AttributeValue.fromN("7"));
      user.putItem(b -> b.tableName(table).item(item));
      Map<String, AttributeValue> got = user.getItem(b -> b.tableName(table).key(Map.of("pk", AttributeValue.fromS("java")))).item();
      check(item.equals(got), "a user's access key signs PutItem and GetItem");
    }
    try (DynamoDbClient role = client(AwsSessionCredentials.create(System.getenv("BASALT_TEST_ROLE_KEY"),
        System.getenv("BASALT_TEST_ROLE_SECRET"), System.getenv("BASALT_TEST_ROLE_TOKEN")))) {
      check(role.listTables().tableNames().contains(table), "temporary credentials with a session token list tables");
      String[] f = failure(() -> role.putItem(b -> b.tableName(table).item(Map.of("pk", AttributeValue.fromS("x")))));
      check(f[0].equals("AccessDeniedException") && f[1].contains("is not authorized to perform: dynamodb:PutItem"),
          "the role may not write: " + f[0] + ": " + f[1]);
    }
    try (DynamoDbClient unknown = client(AwsBasicCredentials.create("AKIANOSUCHKEY0000000", "x"));
         DynamoDbClient wrong = client(AwsBasicCredentials.create(userKey, "not-the-secret"))) {
      String[] f = failure(() -> unknown.listTables());
      check(f[0].equals("UnrecognizedClientException") && f[1].equals("The security token included in the request is invalid."),
          "an unknown key: " + f[0] + ": " + f[1]);
      f = failure(() -> wrong.listTables());
      check(f[0].equals("InvalidSignatureException") && f[1].startsWith("The request signature we calculated does not match"),
          "a wrong secret: " + f[0] + ": " + f[1]);
    }
  }
}
