"""Volunteer registries: the national registry's export and county volunteer apps."""
