INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime_seconds, data__comment, deployment_name)
VALUES (3600, 'first', 'dbc-abcd0123-a1bc.cloud.databricks.com'), (7200, 'second', 'dbc-abcd0123-a1bc.cloud.databricks.com')
RETURNING *;
