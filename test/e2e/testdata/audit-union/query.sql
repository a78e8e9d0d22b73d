SELECT 'expiring' AS kind, comment FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' AND expiry_time != -1
UNION ALL
SELECT 'legacy', comment FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' AND expiry_time = -1
ORDER BY kind, comment;
