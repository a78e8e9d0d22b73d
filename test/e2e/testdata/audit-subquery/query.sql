-- the newest token, by a scalar subquery
SELECT comment, creation_time FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com'
  AND creation_time = (SELECT MAX(creation_time) FROM databricks_workspace.workspace.user_tokens
                       WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com');
-- tokens whose comment is shared, by IN (subquery)
SELECT comment, expiry_time FROM databricks_workspace.workspace.user_tokens AS t
WHERE t.deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com'
  AND t.comment IN (SELECT comment FROM databricks_workspace.workspace.user_tokens
                    WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' GROUP BY comment HAVING COUNT(*) > 1)
ORDER BY comment, expiry_time;
-- a subquery in FROM names its own deployment_name
SELECT c.comment, c.n FROM (
  SELECT comment, COUNT(*) AS n FROM databricks_workspace.workspace.user_tokens
  WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' GROUP BY comment
) AS c WHERE c.n = 1 ORDER BY c.comment;
-- a WITH clause names its own deployment_name too
WITH per_comment AS (
  SELECT comment, COUNT(*) AS n FROM databricks_workspace.workspace.user_tokens
  WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' GROUP BY comment
)
SELECT comment, n FROM per_comment WHERE n > 1 ORDER BY n DESC;
