"""A region of parks (区域监管): many park files computed as ``dask.distributed`` tasks, cached by content, summed up
for the regulator (ranking, monthly trend, bulletin).

- :mod:`app.region.compute`: the figures of one park (one task);
- :mod:`app.region.cache`: results cached by the content hash of each park's inputs;
- :mod:`app.region.runner`: the region on a dask cluster (``DASK_SCHEDULER_ADDRESS`` or a LocalCluster);
- :mod:`app.region.stats`: the ranked table, the monthly trend, the parks a user may see;
- :mod:`app.region.bulletin`: the monthly bulletin (Word and Excel).
"""
