-- Serving: per-route limits, the request log (every served request; prompt and response for a
-- sampled share, PII redacted) and one feedback per request.
ALTER TABLE route ADD COLUMN max_prompt_tokens INT;
ALTER TABLE route ADD COLUMN max_new_tokens INT;

CREATE TABLE inference_request (
    id                  VARCHAR(250) PRIMARY KEY,
    primary_request_id  VARCHAR(64),
    route               VARCHAR(100) NOT NULL,
    adapter             VARCHAR(100) NOT NULL,
    version             INT NOT NULL,
    arm                 VARCHAR(20) NOT NULL,
    endpoint            VARCHAR(20) NOT NULL,
    caller              VARCHAR(100) NOT NULL,
    user_id             VARCHAR(200),
    outcome             VARCHAR(20) NOT NULL,
    finish_reason       VARCHAR(20),
    prompt_tokens       INT NOT NULL,
    completion_tokens   INT NOT NULL,
    latency_ms          DOUBLE PRECISION NOT NULL,
    ttft_ms             DOUBLE PRECISION,
    refusal             BOOLEAN NOT NULL,
    sampled             BOOLEAN NOT NULL,
    prompt              VARCHAR(100000),
    response            VARCHAR(100000),
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX inference_request_route_at ON inference_request (route, created_at);
CREATE INDEX inference_request_at ON inference_request (created_at);
CREATE INDEX inference_request_primary ON inference_request (primary_request_id);

CREATE TABLE inference_feedback (
    request_id  VARCHAR(64) PRIMARY KEY,
    rating      VARCHAR(10) NOT NULL,
    comment     VARCHAR(4000),
    caller      VARCHAR(100) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
