import boto3


def test_moto_server_answers_through_boto3(aws: str) -> None:
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    vpcs = ec2.describe_vpcs()["Vpcs"]
    assert [v["IsDefault"] for v in vpcs] == [True]
    assert aws.startswith("http://127.0.0.1:")
