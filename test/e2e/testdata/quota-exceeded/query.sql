SELECT COUNT(*) AS tokens FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime_seconds, data__comment, deployment_name)
SELECT 3600, 'one too many', 'dbc-abcd0123-a1bc.cloud.databricks.com'
RETURNING token_value;
