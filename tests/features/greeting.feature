Feature: Greeting and health
  The endpoints a load balancer and a curious human hit first.

  Background:
    Given the service runs on an empty database

  Scenario: The root path greets
    When I GET "/"
    Then the response status is 200
    And the response body is:
      """
      {"message": "Hello world!"}
      """

  Scenario: Health names the container
    When I GET "/health"
    Then the response status is 200
    And the response body is:
      """
      {"status": "Healthy!", "container": "test-container"}
      """

  Scenario: Unknown paths answer JSON
    When I GET "/nowhere"
    Then the response status is 404
    And the error mentions "/nowhere"
