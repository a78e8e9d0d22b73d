-- a string property stays a string even when it looks like JSON
INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime_seconds, data__comment, deployment_name)
SELECT '600', '{"team": "data"}', 'dbc-abcd0123-a1bc.cloud.databricks.com'
RETURNING token_info;
SELECT comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
