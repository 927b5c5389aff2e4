import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # contrib/pytest, where basalt_pytest.py is

pytest_plugins = ["basalt_pytest"]
