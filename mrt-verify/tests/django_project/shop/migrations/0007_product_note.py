from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0006_widen_name")]
    operations = [
        migrations.AddField("product", "note", models.CharField(max_length=30, null=True)),
    ]
