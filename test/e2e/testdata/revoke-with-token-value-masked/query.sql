-- a token value passed where its id belongs: the API quotes it back, the CLI masks it
EXEC databricks_workspace.workspace.user_tokens.revoketoken @deployment_name='dbc-abcd0123-a1bc.cloud.databricks.com' @@json='{"token_id": "{{ token_id }}"}';
