DROP TABLE databricks_workspace.workspace.user_tokens;
