INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime_seconds, data__comment, deployment_name)
SELECT 3600, 'ci', 'dbc-abcd0123-a1bc.cloud.databricks.com'
RETURNING token_info, token_value;
