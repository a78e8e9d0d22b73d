SELECT DISTINCT comment FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' ORDER BY comment;
-- COUNT(DISTINCT x) leaves NULL out, COUNT(*) counts every row
SELECT COUNT(DISTINCT comment) AS comments, COUNT(comment) AS commented, COUNT(*) AS tokens
FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
