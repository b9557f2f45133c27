variable "name_prefix" {
  type        = string
  description = "Prefix for every resource name, e.g. tattoo-dev."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every taggable resource."
  default     = {}
}

variable "feed_mode" {
  type        = string
  description = "How replicas follow the table: stream (each replica reads the DynamoDB stream; at most 2 replicas) or forwarder (a Lambda reads it once and pushes to every replica). max_tasks > 2 forces forwarder."
  default     = "stream"

  validation {
    condition     = contains(["stream", "forwarder"], var.feed_mode)
    error_message = "feed_mode must be stream or forwarder."
  }
}

variable "vpc_id" {
  type        = string
  description = "VPC of the service (from the networking module)."
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR of the VPC, for HTTPS egress to the interface endpoints."

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be a CIDR block."
  }
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Private subnets in two AZs for the tasks, the load balancer and the forwarder."

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "inkdex runs in at least two AZs: give at least two private subnets."
  }
}

variable "gateway_prefix_list_ids" {
  type        = list(string)
  description = "Prefix lists of the S3 and DynamoDB gateway endpoints (HTTPS egress)."
}

variable "endpoints_security_group_id" {
  type        = string
  description = "Security group of the VPC's interface endpoints (networking module), the DynamoDB Streams one included; the tasks may send HTTPS to it."
}

variable "dynamodb_streams_endpoint_url" {
  type        = string
  description = "URL of the DynamoDB Streams interface endpoint (networking module output); required in stream mode, since the tasks have no other route to DynamoDB Streams."
  default     = null
}

variable "client_security_group_ids" {
  type        = list(string)
  description = "Security groups of the API Lambdas: the only clients besides the forwarder."
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate (private CA or imported) for the internal load balancer's HTTPS listener; gRPC on an ALB needs TLS."
}

variable "table_name" {
  type        = string
  description = "Name of the directory's DynamoDB table."
}

variable "table_arn" {
  type        = string
  description = "ARN of the directory's DynamoDB table (scan for the initial build)."
}

variable "stream_arn" {
  type        = string
  description = "ARN of the table's stream (NEW_AND_OLD_IMAGES)."
}

variable "table_kms_key_arn" {
  type        = string
  description = "KMS key that encrypts the table and its stream."
}

variable "secrets_kms_key_arn" {
  type        = string
  description = "KMS key for the write-token secret and the forwarder's queue and environment."
}

variable "logs_kms_key_arn" {
  type        = string
  description = "KMS key for the log groups."
}

variable "ecr_kms_key_arn" {
  type        = string
  description = "KMS key for the ECR repository."
}

variable "code_signing_config_arn" {
  type        = string
  description = "Lambda code signing config for the forwarder."
  default     = null
}

variable "alarm_topic_arn" {
  type        = string
  description = "SNS topic for the alarms (from app-monitoring)."
}

variable "image_tag" {
  type        = string
  description = "Tag of the inkdex-server image in the module's ECR repository (immutable tags: use the git SHA)."

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,128}$", var.image_tag)) && var.image_tag != "latest"
    error_message = "image_tag must be a valid, immutable tag (not latest)."
  }
}

variable "images_to_keep" {
  type        = number
  description = "Images kept in ECR."
  default     = 30
}

variable "task_cpu" {
  type        = number
  description = "Fargate task CPU units."
  default     = 1024

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.task_cpu)
    error_message = "task_cpu must be a Fargate CPU size."
  }
}

variable "task_memory" {
  type        = number
  description = "Fargate task memory (MiB); the index is memory-mapped."
  default     = 2048
}

variable "ephemeral_storage_gib" {
  type        = number
  description = "Task ephemeral storage for the index volume."
  default     = 30

  validation {
    condition     = var.ephemeral_storage_gib >= 21 && var.ephemeral_storage_gib <= 200
    error_message = "ephemeral_storage_gib must be 21-200."
  }
}

variable "min_tasks" {
  type        = number
  description = "Minimum replicas; 2 keeps one per AZ."
  default     = 2

  validation {
    condition     = var.min_tasks >= 1
    error_message = "min_tasks must be at least 1."
  }
}

variable "max_tasks" {
  type        = number
  description = "Maximum replicas; above 2 the forwarder feeds them."
  default     = 2

  validation {
    condition     = var.max_tasks >= 1 && var.max_tasks <= 50
    error_message = "max_tasks must be 1-50."
  }
}

variable "cpu_target_percent" {
  type        = number
  description = "Target average CPU of the service for autoscaling."
  default     = 60
}

variable "requests_per_task_target" {
  type        = number
  description = "Target requests per task per minute for autoscaling."
  default     = 3000
}

variable "health_check_grace_seconds" {
  type        = number
  description = "Time a new task gets to build its index before health checks count."
  default     = 300
}

variable "tombstone_ttl_hours" {
  type        = number
  description = "Hours a deleted artist's tombstone is kept before inkdex-server forgets it (--tombstone-ttl). A change older than a forgotten delete would bring the artist back, so this must exceed the stream's 24-hour retention (the forwarder's retries end there too)."
  default     = 168

  validation {
    condition     = var.tombstone_ttl_hours >= 25 && var.tombstone_ttl_hours == floor(var.tombstone_ttl_hours)
    error_message = "tombstone_ttl_hours must be a whole number of hours, at least 25 (the stream keeps records 24 hours)."
  }
}

variable "discovery_namespace" {
  type        = string
  description = "Private DNS namespace for service discovery, e.g. inkdex.dev.internal."
}

variable "forwarder_source_dir" {
  type        = string
  description = "The package tree infra/lambda/stream-forwarder/build.sh writes (OUT_DIR/package: handler, gRPC stubs, grpcio and protobuf for arm64), zipped by archive_file. Not infra/lambda/stream-forwarder itself: the function would fail to import without the stubs and grpcio."
  default     = null

  validation {
    condition = var.forwarder_source_dir == null || alltrue([
      for f in ["handler.py", "inkdex/v1/stream_ingest_pb2_grpc.py", "grpc/__init__.py"] :
      fileexists("${coalesce(var.forwarder_source_dir, ".")}/${f}")
    ])
    error_message = "forwarder_source_dir must be the package tree build.sh writes (with handler.py, inkdex/v1/stream_ingest_pb2_grpc.py and grpc/), not the source directory."
  }
}

variable "forwarder_package_path" {
  type        = string
  description = "A ready, signed zip of the forwarder; overrides forwarder_source_dir."
  default     = null
}

variable "forwarder_max_retries" {
  type        = number
  description = "Retries of a failing forwarder batch before it goes to the on-failure queue."
  default     = 5
}

variable "access_logs_bucket" {
  type        = string
  description = "S3 bucket for the load balancer's access logs; null disables them."
  default     = null
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the load balancer from deletion (prod)."
  default     = true
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the log groups."
  default     = 90
}

variable "emf_interval_seconds" {
  type        = number
  description = "How often each task writes its key metrics to its log in CloudWatch's embedded metric format (the Inkdex namespace's metrics and the alarms on them); 0 turns them off, and those alarms see no data."
  default     = 60
  validation {
    condition     = var.emf_interval_seconds == 0 || (var.emf_interval_seconds >= 1 && var.emf_interval_seconds <= 3600 && floor(var.emf_interval_seconds) == var.emf_interval_seconds)
    error_message = "emf_interval_seconds must be 0 or a whole number of seconds from 1 to 3600 (inkdex-server's --emf-interval)."
  }
}

variable "stream_lag_alarm_seconds" {
  type        = number
  description = "Alarm when the index is this far behind the stream."
  default     = 60
}

variable "p99_latency_alarm_ms" {
  type        = number
  description = "Alarm when p99 response time exceeds this."
  default     = 100
}

variable "resync_at_slot_drift" {
  type        = number
  description = "feed_mode \"stream\" only: a task re-syncs its index from the table (a scan in cell order, the stream replayed, then a swap; the old index serves meanwhile but takes no stream records, minutes at 1M artists) when its slot drift has grown this much since its last re-sync (inkdex-server --resync-at-slot-drift). Each task scans the table once then. 0: never, replace the tasks instead when the slot-drift alarm says."
  default     = 0

  validation {
    condition     = var.resync_at_slot_drift >= 0 && var.resync_at_slot_drift <= 1
    error_message = "resync_at_slot_drift must be between 0 and 1 (0: never)."
  }
}

variable "slot_drift_alarm" {
  type        = number
  description = "Alarm when a task's index has this share of its artists' slots out of cell order (inkdex_index_slot_layout_drift): text-in-region searches slow as it grows (3.6x at 0.10, 1.9x at 0.063, at 1M artists). A new task builds its index from a table scan in cell order, so a new deployment restores it. 0: no alarm."
  default     = 0.05

  validation {
    condition     = var.slot_drift_alarm >= 0 && var.slot_drift_alarm <= 1
    error_message = "slot_drift_alarm must be between 0 and 1 (0: no alarm)."
  }
}

variable "error_alarm_count" {
  type        = number
  description = "Alarm when more 5xx than this occur in a minute (3 of 5 minutes)."
  default     = 5
}

variable "renumber_online_at_drift" {
  type        = number
  description = "A task renumbers its index's slots while serving (its documents copied, the copy rebuilt in cell order at idle CPU priority, the writes and stream records applied meanwhile re-applied, then a swap; no write is refused for it, but searches slow while it runs on a busy task) when its slot drift reaches this (inkdex-server --renumber-online-at-drift). Both feed modes; in stream mode it reads nothing from the table, unlike resync_at_slot_drift, and a re-sync that becomes due cancels it. Meanwhile the task holds two indexes: size ephemeral_storage_gib and the task memory for twice the index. 0: never, replace the tasks instead when the slot-drift alarm says."
  default     = 0

  validation {
    condition     = var.renumber_online_at_drift >= 0 && var.renumber_online_at_drift <= 1
    error_message = "renumber_online_at_drift must be between 0 and 1 (0: never)."
  }
}
