INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime_seconds, data__comment, deployment_name)
VALUES (3600, 'json out', 'dbc-abcd0123-a1bc.cloud.databricks.com')
RETURNING token_info, token_value;
SELECT * FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' ORDER BY creation_time;
