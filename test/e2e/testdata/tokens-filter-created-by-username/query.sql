-- created_by_username is sent as the API's filter: only alice's tokens come back
SELECT comment, created_by_username FROM databricks_workspace.workspace.tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' AND created_by_username = 'alice@example.com';
