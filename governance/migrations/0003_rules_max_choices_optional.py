# max_choices becomes optional: null is "no limit" for eras whose sources give none
# (governance/data/SOURCES.md, "Choice limits"). The shipped values come from
# governance_rules.json through load_governance_history, which resets every shipped version.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0002_rules_polls_votes_proposals'),
    ]

    operations = [
        migrations.AlterField(
            model_name='governancerules',
            name='max_choices',
            field=models.PositiveSmallIntegerField(blank=True, default=None, help_text="Most choices a poll may have when it opens; empty when the sources give no limit for the era (Epoch 12-13: Snapshot's 20).", null=True, validators=[django.core.validators.MinValueValidator(2), django.core.validators.MaxValueValidator(200)]),
        ),
    ]
