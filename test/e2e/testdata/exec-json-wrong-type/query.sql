EXEC databricks_workspace.workspace.user_tokens.revoketoken @deployment_name='dbc-abcd0123-a1bc.cloud.databricks.com' @@json='{"token_id": 42}';
