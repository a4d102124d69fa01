"""`flask` CLI commands: reference data, demo data and the first admin."""
from __future__ import annotations

import click
from flask import Flask, current_app

from app.extensions import db
from app.services import accounts
from app.services.errors import ServiceError
from app.services.reference_data import ReferenceDataError, load_categories, load_municipalities


@click.command("load-reference-data")
def load_reference_data_command() -> None:
    """Load the 243 local governments and the statutory categories (idempotent)."""
    try:
        municipalities = load_municipalities()
        categories = load_categories(current_app.config["TAXONOMY_PATH"])
    except ReferenceDataError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"지자체 {municipalities}곳, 분류 {categories}개를 불러왔습니다. "
               f"(loaded {municipalities} local governments, {categories} categories)")


@click.command("create-admin")
@click.option("--email", prompt="이메일 (e-mail)")
@click.option("--name", default="관리자", show_default=True)
@click.option("--password", prompt="비밀번호 (password)", hide_input=True,
              confirmation_prompt=True)
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create a platform administrator."""
    try:
        user = accounts.create_admin(email=email, password=password, name=name)
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"관리자 계정을 만들었습니다: {user.email} (admin created)")


def register(app: Flask) -> None:
    """Attach the commands to the app's CLI."""
    app.cli.add_command(load_reference_data_command)
    app.cli.add_command(create_admin_command)
