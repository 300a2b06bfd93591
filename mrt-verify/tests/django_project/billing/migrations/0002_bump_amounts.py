from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [
        migrations.RunSQL(
            "UPDATE billing_invoice SET amount = amount + 1",
            reverse_sql="UPDATE billing_invoice SET amount = amount - 1",
        ),
    ]
