-- RETURNING takes expressions: the parts of token_info, its lifetime in hours
INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime_seconds, data__comment, deployment_name)
SELECT 7200, 'ci-deploy', 'dbc-abcd0123-a1bc.cloud.databricks.com'
RETURNING json_extract(token_info, '$.comment') AS comment,
          (json_extract(token_info, '$.expiry_time') - json_extract(token_info, '$.creation_time')) / 3600000 AS hours,
          length(token_value) AS value_length,
          upper(substr(token_value, 1, 4)) AS kind;
