"""The `flask generate-load-data` command (the data set the load test runs against)."""
from __future__ import annotations

import time

import click
from flask import Flask

from app.extensions import db


@click.command("generate-load-data")
@click.option("--solutions", default=10_000, show_default=True, type=click.IntRange(min=1))
@click.option("--needs", default=5_000, show_default=True, type=click.IntRange(min=1))
@click.option("--companies", default=2_000, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", default=1, show_default=True, help="같은 값이면 같은 데이터 / same seed, same rows")
@click.option("--quiet", is_flag=True, help="진행 상황을 출력하지 않음 / no progress lines")
def generate_load_data_command(solutions: int, needs: int, companies: int, seed: int,
                               quiet: bool) -> None:
    """Generate a large deterministic data set and sign-in accounts for load tests."""
    from app.services.load_data import (
        LOAD_PASSWORD,
        LoadDataError,
        generate_load_data,
        large_company_accounts,
        load_account_email,
    )

    started = time.perf_counter()
    try:
        report = generate_load_data(solutions=solutions, needs=needs, companies=companies,
                                    seed=seed, progress=(lambda m: None) if quiet else click.echo)
    except LoadDataError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"부하 테스트 데이터를 만들었습니다 ({time.perf_counter() - started:.1f}s): "
               f"기업 {report.companies}, 솔루션 {report.solutions}, 수요 {report.needs}, "
               f"도입 사례 {report.references}, 사용자 {report.users}, 새 태그 {report.tags}. "
               f"(load data generated: {report.companies} companies, {report.solutions} solutions, "
               f"{report.needs} needs, {report.references} references, {report.users} users)")
    click.echo(f"계정 (accounts): {load_account_email('company', 1)} … / "
               f"{load_account_email('official', 1)} … / {LOAD_PASSWORD}")
    large = large_company_accounts(limit=3)
    if large:
        click.echo(f"대기업 계정 (large firms): {', '.join(large)}")


def register(app: Flask) -> None:
    """Attach the command to the app's CLI."""
    app.cli.add_command(generate_load_data_command)
