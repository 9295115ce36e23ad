# The image repository the ECS, ECS Express Mode and App Runner deployments
# pull from. CI copies each signed release from GHCR here (deploy-aws.yml).
resource "aws_ecr_repository" "rates" {
  name = var.name
  # A tag names one image forever: a deploy of v1.2.3 is reproducible, and a
  # compromised CI cannot overwrite a tag already running in production.
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.bootstrap.arn
  }
}

resource "aws_ecr_lifecycle_policy" "rates" {
  repository = aws_ecr_repository.rates.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Untagged images (superseded pushes, attestations' leftovers) after 7 days"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 7
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the 30 newest releases (rollback targets)"
        selection = {
          tagStatus     = "tagged"
          tagPrefixList = ["v"]
          countType     = "imageCountMoreThan"
          countNumber   = 30
        }
        action = { type = "expire" }
      },
    ]
  })
}
