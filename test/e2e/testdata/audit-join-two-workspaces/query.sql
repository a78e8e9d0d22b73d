-- the same comment in two workspaces: each side of the join names its own deployment_name
SELECT p.comment, p.expiry_time - p.creation_time AS prod_lifetime_ms, s.expiry_time - s.creation_time AS stage_lifetime_ms
FROM databricks_workspace.workspace.user_tokens AS p
JOIN databricks_workspace.workspace.user_tokens AS s ON p.comment = s.comment
WHERE p.deployment_name = 'dbc-prod0001.cloud.databricks.com' AND s.deployment_name = 'dbc-stage001.cloud.databricks.com'
ORDER BY p.comment;
-- tokens in prod with no counterpart in stage
SELECT p.comment FROM databricks_workspace.workspace.user_tokens AS p
LEFT JOIN databricks_workspace.workspace.user_tokens AS s
  ON p.comment = s.comment AND s.deployment_name = 'dbc-stage001.cloud.databricks.com'
WHERE p.deployment_name = 'dbc-prod0001.cloud.databricks.com' AND s.token_id IS NULL;
-- the same question over both workspaces at once, grouped
SELECT comment, COUNT(*) AS workspaces, group_concat(deployment_name) AS where_found
FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name IN ('dbc-prod0001.cloud.databricks.com', 'dbc-stage001.cloud.databricks.com')
GROUP BY comment HAVING COUNT(*) > 1 ORDER BY comment;
