SELECT deployment_name, comment FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name IN ('dbc-abcd0123-a1bc.cloud.databricks.com', 'dbc-nowhere.cloud.databricks.com',
  'adb-1234567890123456.7.azuredatabricks.net', '1234567890123456.7.gcp.databricks.com')
ORDER BY comment;
SELECT 'the script goes on' AS after;
