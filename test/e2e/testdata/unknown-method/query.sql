EXEC databricks_workspace.workspace.user_tokens.revoke @deployment_name='dbc-abcd0123-a1bc.cloud.databricks.com' @@json='{"token_id": "x"}';
