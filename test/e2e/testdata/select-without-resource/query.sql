-- no resource: SQLite answers and nothing is sent
SELECT 1 + 1 AS two, upper('deploy') AS shout, json_extract('{"a": [1, 2]}', '$.a[1]') AS second;
