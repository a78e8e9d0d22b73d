-- @@json='null' is not a body: refused before anything is sent
EXEC databricks_workspace.workspace.user_tokens.revoketoken @deployment_name='dbc-abcd0123-a1bc.cloud.databricks.com' @@json='null';
