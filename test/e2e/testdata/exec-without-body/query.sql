-- revoke's request body is required: an EXEC without one is refused before anything is sent
EXEC databricks_workspace.workspace.user_tokens.revoketoken @deployment_name='dbc-abcd0123-a1bc.cloud.databricks.com';
