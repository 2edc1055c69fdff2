"""The same grading work runs on a Dask cluster of separate worker processes."""

import pytest
from distributed import LocalCluster

from autograde.grading.run import Options, grade_class

from .conftest import LIMITS, MEAN_WRONG, course, put, submission

pytestmark = pytest.mark.slow   # grades or runs whole notebooks: make test only


def test_dask_cluster_grades_like_local_workers(tmp_path):
    crs = course(tmp_path)
    subs = tmp_path / "subs"
    put(subs, "perfect", submission())
    put(subs, "partial", submission(mean=MEAN_WRONG))
    put(subs, "blank", submission("def square(x):\n    raise NotImplementedError()"))
    local = grade_class(Options(subs, tmp_path / "local", crs, workers=2, limits=LIMITS,
                                progress=False))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        on_dask = grade_class(Options(subs, tmp_path / "dask", crs, limits=LIMITS,
                                      progress=False, dask_scheduler=cluster.scheduler_address))
    assert [(r.student_id, r.score, r.status) for r in on_dask] == \
        [(r.student_id, r.score, r.status) for r in local]
    assert {r.student_id: r.score for r in on_dask} == {"blank": 0, "partial": 3,
                                                              "perfect": 6}
