"""The local client: the application's own client record."""

from tortoise import fields
from tortoise.models import Model

# Column lengths: what WHMCS itself keeps comfortably; validation enforces the same numbers.
MAX_LENGTHS: dict[str, int] = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "company_name": 200,
    "phone_number": 50,
    "address1": 255,
    "address2": 255,
    "city": 100,
    "state": 100,
    "postcode": 20,
    "country": 2,
}


class Client(Model):
    id = fields.IntField(primary_key=True)
    first_name = fields.CharField(max_length=MAX_LENGTHS["first_name"])
    last_name = fields.CharField(max_length=MAX_LENGTHS["last_name"])
    email = fields.CharField(max_length=MAX_LENGTHS["email"])
    # lower(email): one unique index that behaves the same on SQLite, PostgreSQL and MariaDB.
    email_key = fields.CharField(max_length=MAX_LENGTHS["email"], unique=True)
    company_name = fields.CharField(max_length=MAX_LENGTHS["company_name"], null=True)
    phone_number = fields.CharField(max_length=MAX_LENGTHS["phone_number"], null=True)
    address1 = fields.CharField(max_length=MAX_LENGTHS["address1"], null=True)
    address2 = fields.CharField(max_length=MAX_LENGTHS["address2"], null=True)
    city = fields.CharField(max_length=MAX_LENGTHS["city"], null=True)
    state = fields.CharField(max_length=MAX_LENGTHS["state"], null=True)
    postcode = fields.CharField(max_length=MAX_LENGTHS["postcode"], null=True)
    country = fields.CharField(max_length=MAX_LENGTHS["country"], null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "clients"
        ordering = ("id",)

    def __str__(self) -> str:
        return f"Client {self.id}"
