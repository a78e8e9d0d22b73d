SHOW SERVICES IN databricks_workspace;
SHOW RESOURCES IN databricks_workspace.workspace;
SHOW METHODS IN databricks_workspace.workspace.user_tokens;
SHOW EXTENDED METHODS IN databricks_workspace.workspace.user_tokens;
DESCRIBE databricks_workspace.workspace.user_tokens;
DESCRIBE EXTENDED databricks_workspace.workspace.user_tokens;
