from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0005_rename_description")]
    operations = [
        migrations.AlterField("product", "name", models.CharField(max_length=100)),
    ]
