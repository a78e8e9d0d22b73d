-- who may use tokens is for workspace admins to read; a plain user gets 403 PERMISSION_DENIED
SELECT group_name, user_name FROM databricks_workspace.workspace.token_permissions
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
