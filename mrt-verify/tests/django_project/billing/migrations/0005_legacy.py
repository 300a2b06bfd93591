from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_touch_invoices")]
    operations = [
        migrations.CreateModel(
            name="Legacy",
            fields=[
                ("id", models.AutoField(primary_key=True, serialize=False)),
                ("code", models.CharField(max_length=10)),
            ],
        ),
    ]
