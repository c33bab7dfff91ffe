"""Tests of the WHMCS integration."""
