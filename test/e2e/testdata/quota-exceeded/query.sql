SELECT COUNT(*) AS tokens FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc';
INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime_seconds, data__comment, deployment_name)
SELECT 3600, 'one too many', 'dbc-abcd0123-a1bc'
RETURNING token_value;
