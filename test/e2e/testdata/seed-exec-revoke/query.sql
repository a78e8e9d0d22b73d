EXEC databricks_workspace.workspace.user_tokens.revoketoken 
@deployment_name='{{ deployment_name }}' --required
@@json=
'{
"token_id": "{{ token_id }}"
}';
SELECT token_id, comment FROM databricks_workspace.workspace.user_tokens WHERE deployment_name = '{{ deployment_name }}';
