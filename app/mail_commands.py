"""`flask deliver-mail`: send queued e-mail and retry failed messages that are due."""
from __future__ import annotations

import click
from flask import Flask


@click.command("deliver-mail")
def deliver_mail_command() -> None:
    """Send pending e-mail and retry failed messages that are due (for the scheduler or cron)."""
    from app.services.mail import deliver_pending

    report = deliver_pending()
    click.echo(f"이메일 {report.sent}건 발송, {report.failed}건 실패, {report.skipped}건 건너뜀. "
               f"({report.sent} sent, {report.failed} failed, {report.skipped} skipped)")


def register(app: Flask) -> None:
    """Attach the mail command to the app's CLI."""
    app.cli.add_command(deliver_mail_command)
