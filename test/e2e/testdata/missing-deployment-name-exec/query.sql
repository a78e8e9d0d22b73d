EXEC databricks_workspace.workspace.user_tokens.revoketoken @@json='{"token_id": "x"}';
