from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_product_price")]
    operations = [
        migrations.AddField("product", "description", models.TextField(null=True)),
    ]
