"""The workbook database: schema, engine, migrations and queries."""
