-- Tokens that expire within 7 days of now, soonest first; legacy tokens
-- (expiry_time -1) never expire. Times are epoch milliseconds.
SELECT comment, round((expiry_time / 1000.0 - strftime('%s', 'now')) / 86400) AS days_left
FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com'
  AND expiry_time != -1
  AND expiry_time < (strftime('%s', 'now') + 7 * 86400) * 1000
ORDER BY expiry_time;
