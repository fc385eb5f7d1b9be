package io.adapterops.service.mlflow;

import io.adapterops.service.mlflow.RunViews.ArtifactView;
import io.adapterops.service.mlflow.RunViews.MetricView;
import io.adapterops.service.mlflow.RunViews.RunDetail;
import io.adapterops.service.mlflow.RunViews.RunView;
import io.adapterops.service.security.Roles;
import io.adapterops.service.web.ApiException;
import io.adapterops.service.web.PageView;
import io.adapterops.service.web.Paging;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.Sort;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tracked runs as AdapterOps recorded them: the browsable tracking store of the embedded default. */
@Controller("/api/v1/runs")
@ExecuteOn(TaskExecutors.BLOCKING)
@Secured({Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN})
public class RunController {
    private final TrackingRunRepository runs;
    private final TrackingParamRepository params;
    private final TrackingTagRepository tags;
    private final TrackingMetricRepository metrics;
    private final TrackingArtifactRepository artifacts;

    public RunController(TrackingRunRepository runs, TrackingParamRepository params, TrackingTagRepository tags,
                         TrackingMetricRepository metrics, TrackingArtifactRepository artifacts) {
        this.runs = runs;
        this.params = params;
        this.tags = tags;
        this.metrics = metrics;
        this.artifacts = artifacts;
    }

    /** Newest first; {@code experiment} (an adapter name) filters. */
    @Get
    public PageView<RunView> list(@Nullable @QueryValue String experiment, @QueryValue(defaultValue = "0") int page,
                                  @QueryValue(defaultValue = "20") int size) {
        Pageable p = Paging.of(page, size, Sort.of(Sort.Order.desc("id")));
        return PageView.of(experiment == null ? runs.findAll(p) : runs.findByExperiment(experiment, p), RunView::of);
    }

    @Get("/{id}")
    public RunDetail get(long id) {
        TrackingRun run = find(id);
        Map<String, String> p = new LinkedHashMap<>();
        params.findByRunIdOrderByName(id).forEach(x -> p.put(x.name(), x.val()));
        Map<String, String> t = new LinkedHashMap<>();
        tags.findByRunIdOrderByName(id).forEach(x -> t.put(x.name(), x.val()));
        Map<String, MetricView> latest = new LinkedHashMap<>();
        metrics.latest(id).forEach(m -> latest.put(m.name(), MetricView.of(m)));
        List<ArtifactView> files = artifacts.findByRunIdOrderByPath(id).stream()
                .map(a -> new ArtifactView(a.path(), a.size())).toList();
        return new RunDetail(RunView.of(run), p, t, latest, files);
    }

    /** Every logged point of one metric, by step. */
    @Get("/{id}/metrics/{key}")
    public List<MetricView> history(long id, String key) {
        find(id);
        List<MetricView> points = metrics.history(id, key).stream().map(MetricView::of).toList();
        if (points.isEmpty()) {
            throw ApiException.notFound("metric of run " + id, key);
        }
        return points;
    }

    private TrackingRun find(long id) {
        return runs.findById(id).orElseThrow(() -> ApiException.notFound("run", String.valueOf(id)));
    }
}
