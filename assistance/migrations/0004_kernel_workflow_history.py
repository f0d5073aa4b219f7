"""The application's history moves to the kernel's one history table (workflow.StateChange), so the four-eyes
rule asks every app's records the same way. Filings and uplift previews become the records' first steps."""

from django.db import migrations

FORWARD = """
INSERT INTO workflow_statechange (object_type, object_id, action, from_state, to_state, actor_id, note, occurred_at)
SELECT 'assistance.application', a.id, 'submit', '', 'submitted', a.submitted_by_id, '', a.submitted_at
  FROM assistance_application a
 ORDER BY a.id;
INSERT INTO workflow_statechange (object_type, object_id, action, from_state, to_state, actor_id, note, occurred_at)
SELECT 'assistance.application', t.application_id, t.action, t.from_state, t.to_state, t.actor_id, t.note, t.at
  FROM assistance_applicationtransition t
 ORDER BY t.id;
INSERT INTO workflow_statechange (object_type, object_id, action, from_state, to_state, actor_id, note, occurred_at)
SELECT 'assistance.uplift', u.id, 'preview', '', 'preview', u.created_by_id, '', u.created_at
  FROM assistance_uplift u
 ORDER BY u.id;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0003_drop_redundant_enrollment_indexes"),
        ("workflow", "0001_state_changes"),
    ]

    operations = [
        migrations.RunSQL(FORWARD, migrations.RunSQL.noop),
        migrations.DeleteModel(name="ApplicationTransition"),
    ]
