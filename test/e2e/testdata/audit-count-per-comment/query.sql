-- how many tokens per comment, the busiest first; a missing comment is its own group
SELECT comment, COUNT(*) AS tokens, MIN(creation_time) AS first_created
FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com'
GROUP BY comment ORDER BY tokens DESC, comment;
-- only comments used more than once
SELECT comment, COUNT(*) FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com'
GROUP BY comment HAVING COUNT(*) > 1 ORDER BY comment;
