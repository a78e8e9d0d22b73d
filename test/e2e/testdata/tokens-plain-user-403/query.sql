-- token management answers workspace admins only; the same user's own tokens stay readable through user_tokens
SELECT comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
SELECT token_id, created_by_username FROM databricks_workspace.workspace.tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
