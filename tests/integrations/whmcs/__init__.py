"""Tests of the WHMCS client, its errors, records and resources."""
