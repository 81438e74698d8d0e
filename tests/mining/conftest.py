"""Fixtures for the mining tests: a local Spark session, started once.

Under ``CI=true`` a missing pyspark or Java fails the tests that need Spark
(CI must run them); elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterator
from typing import Any, NoReturn

import pytest
from tests._programs import unavailable

#: pyspark warns about pandas 3 when it starts; the engine does not use pandas there.
PYSPARK_PANDAS_WARNING = "ignore:PySpark does not yet fully support pandas:FutureWarning"


def _unavailable(reason: str) -> NoReturn:
    unavailable(reason, "Spark tests must run in CI")


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local Spark session (one core, one shuffle partition, no UI), stopped at the end."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        _unavailable("pyspark is not installed (pip install pyspark)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _unavailable("Spark needs Java, and neither java nor JAVA_HOME was found")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        try:
            session = (
                SparkSession.builder.master("local[1]")
                .appName("cxgraph-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "1")
                .config("spark.default.parallelism", "1")
                .config("spark.sql.adaptive.enabled", "false")
                # Tiny jobs: compiling generated code costs more than it saves.
                .config("spark.sql.codegen.wholeStage", "false")
                .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate()
            )
        except Exception as exc:  # any failure to start means no Spark here
            _unavailable(f"cannot start a local Spark session: {exc}")
        session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
