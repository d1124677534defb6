#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The public surface of hand-written templates.

use cloudwright_audit::{
    ApiType, Error, Integration, Kind, Report, Surface, audit, audit_template, audit_template_str,
    render_table, to_json,
};
use serde_json::{Value, json};

const FLASK_API: &str = include_str!("templates/flask_api.json");
const ORIGINAL_POST: &str = include_str!("templates/original_post.json");

fn surface(v: &Value) -> Surface {
    audit_template(v).unwrap()
}

fn routes(s: &Surface) -> Vec<(String, String, Option<String>)> {
    s.routes
        .iter()
        .map(|r| (r.method.clone(), r.path.clone(), r.stage.clone()))
        .collect()
}

fn r(method: &str, path: &str, stage: Option<&str>) -> (String, String, Option<String>) {
    (method.into(), path.into(), stage.map(str::to_owned))
}

#[test]
fn flask_api_exposes_one_route_and_nat_egress_only() {
    let s = audit_template_str(FLASK_API).unwrap();

    assert_eq!(
        routes(&s),
        vec![r("GET", "/{person}/{firstname}", Some("v1"))]
    );
    let route = &s.routes[0];
    assert_eq!(route.api, "IngressApi");
    assert_eq!(route.api_type, ApiType::Rest);
    assert_eq!(route.authorization, "NONE");
    assert_eq!(
        route.integration,
        Integration::VpcLink {
            vpc_link: "IngressVpcLink".into(),
            load_balancer: Some("IngressLoadBalancer".into()),
            internal: Some(true),
            listener_port: Some(80),
            target_group: Some("IngressTargetGroup".into()),
            target_group_port: Some(80),
            uri: Some("http://${IngressLoadBalancer.DNSName}:80/{person}/{firstname}".into()),
        }
    );

    assert!(s.load_balancers.is_empty(), "{:?}", s.load_balancers);
    assert!(s.open_ingress.is_empty(), "{:?}", s.open_ingress);
    assert!(s.private_apis.is_empty());
    let ips: Vec<(Kind, &str)> = s
        .public_ips
        .iter()
        .map(|p| (p.kind, p.resource.as_str()))
        .collect();
    assert_eq!(
        ips,
        vec![
            (Kind::NatGateway, "NetworkNat1"),
            (Kind::NatGateway, "NetworkNat2")
        ]
    );
    assert_eq!(s.public_ips[0].subnets, vec!["NetworkPublicSubnet1"]);
    // Everything else is known to be private.
    assert!(s.gaps.is_empty(), "{:?}", s.gaps);
    assert!(s.not_analyzed.is_empty(), "{:?}", s.not_analyzed);
    let kinds: Vec<Kind> = s.exposures().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, vec![Kind::Route, Kind::NatGateway, Kind::NatGateway]);

    // The public subnets are context.
    let subnets: Vec<&str> = s.public_subnets.iter().map(|p| p.subnet.as_str()).collect();
    assert_eq!(
        subnets,
        vec!["NetworkPublicSubnet1", "NetworkPublicSubnet2"]
    );
    assert!(s.public_subnets.iter().all(|p| p.map_public_ip_on_launch));
    assert_eq!(s.public_subnets[0].gateway, "igw-0fedcba9876543210");

    let table = render_table(&s);
    assert!(
        table.contains("v1     GET     /{person}/{firstname}"),
        "{table}"
    );
    assert!(
        table.contains(
            "VPC link IngressVpcLink -> IngressLoadBalancer (internal) :80 -> IngressTargetGroup :80"
        ),
        "{table}"
    );
    assert!(
        table.contains("Internet-facing load balancers: none"),
        "{table}"
    );
    assert!(table.contains("Not analyzed: none"), "{table}");
}

#[test]
fn original_post_route_uses_default_http_port_and_open_group_shows() {
    let s = audit_template_str(ORIGINAL_POST).unwrap();
    assert_eq!(
        routes(&s),
        vec![r("GET", "/{person}/{firstname}", Some("v1"))]
    );
    // `Fn::Join` URI without a port: http's default 80 picks the listener ("80" as a string).
    match &s.routes[0].integration {
        Integration::VpcLink {
            load_balancer,
            listener_port,
            target_group,
            target_group_port,
            ..
        } => {
            assert_eq!(load_balancer.as_deref(), Some("LoadBalancer"));
            assert_eq!(*listener_port, Some(80));
            assert_eq!(target_group.as_deref(), Some("TargetGroup"));
            assert_eq!(*target_group_port, Some(80));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.open_ingress.len(), 1);
    let open = &s.open_ingress[0];
    assert_eq!(open.security_group, "FargateSecurityGroup");
    assert_eq!(open.protocol, "all");
    assert_eq!((open.from_port, open.to_port), (None, None));
    assert_eq!(open.cidr, "0.0.0.0/0");
    assert_eq!(open.rule, "FargateSecurityGroup.SecurityGroupIngress[0]");
    assert_eq!(open.used_by, vec!["Service"]);
    assert_eq!(open.ports_text(), "all protocols, all ports");
    // The literal igw from boto3 makes the public subnets public.
    assert_eq!(s.public_subnets.len(), 2);
    let table = render_table(&s);
    assert!(
        table.contains("all protocols, all ports  0.0.0.0/0"),
        "{table}"
    );
}

#[test]
fn internet_facing_alb_with_https_listener() {
    let t = json!({"Resources": {
        "Alb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "Properties": {"Scheme": "internet-facing", "Subnets": ["subnet-1", "subnet-2"],
                "SecurityGroups": [{"Ref": "AlbSg"}]}},
        "AlbSg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "alb", "VpcId": "vpc-1"}},
        "AlbHttps": {"Type": "AWS::EC2::SecurityGroupIngress",
            "Properties": {"GroupId": {"Fn::GetAtt": ["AlbSg", "GroupId"]}, "IpProtocol": "tcp",
                "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}},
        "AlbHttpsV6": {"Type": "AWS::EC2::SecurityGroupIngress",
            "Properties": {"GroupId": {"Ref": "AlbSg"}, "IpProtocol": "6",
                "FromPort": 443, "ToPort": 443, "CidrIpv6": "::/0"}},
        "Web": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Port": 8080, "Protocol": "HTTP", "VpcId": "vpc-1"}},
        "Api": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Port": 9000, "Protocol": "HTTP", "VpcId": "vpc-1"}},
        "Https": {"Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {"LoadBalancerArn": {"Ref": "Alb"}, "Port": 443, "Protocol": "HTTPS",
                "Certificates": [{"CertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc"}],
                "DefaultActions": [{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": {"Ref": "Web"}}]}}]}},
        "ApiRule": {"Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
            "Properties": {"ListenerArn": {"Ref": "Https"}, "Priority": 1,
                "Conditions": [{"Field": "path-pattern", "Values": ["/api/*"]}],
                "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Api"}}]}},
        "Internal": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Scheme": "internal", "Subnets": ["subnet-3"]}},
        "InternalListener": {"Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {"LoadBalancerArn": {"Ref": "Internal"}, "Port": 80, "Protocol": "HTTP",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Web"}}]}},
        "Classic": {"Type": "AWS::ElasticLoadBalancing::LoadBalancer",
            "Properties": {"Listeners": [{"LoadBalancerPort": "80", "InstancePort": "8080", "Protocol": "HTTP"}], "Subnets": ["subnet-1"]}}
    }});
    let s = surface(&t);
    let lbs: Vec<(&str, &str)> = s
        .load_balancers
        .iter()
        .map(|l| (l.resource.as_str(), l.lb_type.as_str()))
        .collect();
    assert_eq!(lbs, vec![("Alb", "application"), ("Classic", "classic")]);
    let alb = &s.load_balancers[0];
    assert_eq!(alb.scheme, "internet-facing");
    assert_eq!(alb.listeners.len(), 1);
    let l = &alb.listeners[0];
    assert_eq!(
        (l.resource.as_str(), l.port, l.protocol.as_str()),
        ("Https", Some(443), "HTTPS")
    );
    let targets: Vec<(&str, Option<u16>)> = l
        .targets
        .iter()
        .map(|t| (t.resource.as_str(), t.port))
        .collect();
    assert_eq!(targets, vec![("Api", Some(9000)), ("Web", Some(8080))]);
    // A classic ELB without a scheme is internet-facing.
    assert_eq!(s.load_balancers[1].scheme, "internet-facing");
    assert_eq!(s.load_balancers[1].listeners[0].port, Some(80));

    let open: Vec<(&str, &str, &str, Option<i64>)> = s
        .open_ingress
        .iter()
        .map(|o| {
            (
                o.security_group.as_str(),
                o.rule.as_str(),
                o.protocol.as_str(),
                o.from_port,
            )
        })
        .collect();
    assert_eq!(
        open,
        vec![
            ("AlbSg", "AlbHttps", "tcp", Some(443)),
            ("AlbSg", "AlbHttpsV6", "tcp", Some(443)),
        ]
    );
    assert_eq!(s.open_ingress[0].used_by, vec!["Alb"]);
    assert_eq!(s.open_ingress[1].cidr, "::/0");
    let table = render_table(&s);
    assert!(
        table.contains("Alb            application  Https"),
        "{table}"
    );
    assert!(table.contains("Api :9000, Web :8080"), "{table}");
}

#[test]
fn resource_method_tree_gives_paths_per_stage() {
    let t = json!({"Resources": {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "shop"}},
        "Users": {"Type": "AWS::ApiGateway::Resource",
            "Properties": {"RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "users"}},
        "UserId": {"Type": "AWS::ApiGateway::Resource",
            "Properties": {"RestApiId": {"Ref": "Api"}, "ParentId": {"Ref": "Users"}, "PathPart": "{id}"}},
        "Orders": {"Type": "AWS::ApiGateway::Resource",
            "Properties": {"RestApiId": {"Ref": "Api"}, "ParentId": {"Ref": "UserId"}, "PathPart": "orders"}},
        "RootGet": {"Type": "AWS::ApiGateway::Method",
            "Properties": {"RestApiId": {"Ref": "Api"}, "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                "HttpMethod": "GET", "AuthorizationType": "NONE", "Integration": {"Type": "MOCK"}}},
        "UsersGet": {"Type": "AWS::ApiGateway::Method",
            "Properties": {"RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "Users"}, "HttpMethod": "get",
                "AuthorizationType": "NONE",
                "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST",
                    "Uri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ListUsers.Arn}/invocations"}}}},
        "UserAny": {"Type": "AWS::ApiGateway::Method",
            "Properties": {"RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "UserId"}, "HttpMethod": "ANY",
                "AuthorizationType": "AWS_IAM", "ApiKeyRequired": true,
                "Integration": {"Type": "HTTP_PROXY", "IntegrationHttpMethod": "ANY", "Uri": "https://backend.example.com/users/{id}"}}},
        "OrdersPost": {"Type": "AWS::ApiGateway::Method",
            "Properties": {"RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "Orders"}, "HttpMethod": "POST",
                "AuthorizationType": "COGNITO_USER_POOLS",
                "Integration": {"Type": "HTTP_PROXY", "ConnectionType": "VPC_LINK", "ConnectionId": {"Ref": "Link"},
                    "IntegrationHttpMethod": "POST",
                    "Uri": {"Fn::Join": ["", ["http://", {"Fn::GetAtt": ["Nlb", "DNSName"]}, ":8080/orders"]]}}}},
        "ListUsers": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12", "Handler": "x.h", "Role": {"Fn::GetAtt": ["FnRole", "Arn"]}, "Code": {"ZipFile": "x"}}},
        "FnRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
        "Link": {"Type": "AWS::ApiGateway::VpcLink", "Properties": {"Name": "l", "TargetArns": [{"Ref": "Nlb"}]}},
        "Nlb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Scheme": "internal", "Type": "network", "Subnets": ["subnet-1"]}},
        "Nlb8080": {"Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {"LoadBalancerArn": {"Ref": "Nlb"}, "Port": 8080, "Protocol": "TCP",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "OrdersTg"}}]}},
        "OrdersTg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Port": 3000, "Protocol": "TCP", "VpcId": "vpc-1"}},
        "Deployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": ["RootGet", "UsersGet", "UserAny", "OrdersPost"],
            "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "prod"}},
        "Dev": {"Type": "AWS::ApiGateway::Stage", "Properties": {"StageName": "dev", "DeploymentId": {"Ref": "Deployment"}}},
        "Hidden": {"Type": "AWS::ApiGateway::RestApi",
            "Properties": {"Name": "internal", "EndpointConfiguration": {"Types": ["PRIVATE"]},
                "Body": {"openapi": "3.0.1", "paths": {"/secret": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}}}}}},
        "HiddenDeployment": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": {"Ref": "Hidden"}, "StageName": "prod"}}
    }});
    let s = surface(&t);
    assert_eq!(
        routes(&s),
        vec![
            r("ANY", "/users/{id}", Some("dev")),
            r("ANY", "/users/{id}", Some("prod")),
            r("GET", "/", Some("dev")),
            r("GET", "/", Some("prod")),
            r("GET", "/users", Some("dev")),
            r("GET", "/users", Some("prod")),
            r("POST", "/users/{id}/orders", Some("dev")),
            r("POST", "/users/{id}/orders", Some("prod")),
        ]
    );
    let by_path = |m: &str, p: &str| {
        s.routes
            .iter()
            .find(|x| x.method == m && x.path == p)
            .unwrap()
    };
    assert_eq!(by_path("GET", "/").integration, Integration::Mock);
    match &by_path("GET", "/users").integration {
        Integration::Lambda { function, .. } => assert_eq!(function.as_deref(), Some("ListUsers")),
        other => panic!("{other:?}"),
    }
    let any = by_path("ANY", "/users/{id}");
    assert_eq!(any.authorization, "AWS_IAM+API_KEY");
    assert_eq!(
        any.integration,
        Integration::Http {
            uri: Some("https://backend.example.com/users/{id}".into())
        }
    );
    match &by_path("POST", "/users/{id}/orders").integration {
        Integration::VpcLink {
            load_balancer,
            listener_port,
            target_group,
            target_group_port,
            ..
        } => {
            assert_eq!(load_balancer.as_deref(), Some("Nlb"));
            assert_eq!(*listener_port, Some(8080));
            assert_eq!(target_group.as_deref(), Some("OrdersTg"));
            assert_eq!(*target_group_port, Some(3000));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.private_apis, vec!["Hidden"]);
    assert!(s.gaps.is_empty(), "{:?}", s.gaps);
    assert!(s.not_analyzed.is_empty(), "{:?}", s.not_analyzed);
}

#[test]
fn http_api_routes() {
    let t = json!({"Resources": {
        "Http": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "items", "ProtocolType": "HTTP"}},
        "LambdaIntegration": {"Type": "AWS::ApiGatewayV2::Integration",
            "Properties": {"ApiId": {"Ref": "Http"}, "IntegrationType": "AWS_PROXY",
                "IntegrationUri": {"Fn::GetAtt": ["ItemsFn", "Arn"]}, "PayloadFormatVersion": "2.0"}},
        "PrivateIntegration": {"Type": "AWS::ApiGatewayV2::Integration",
            "Properties": {"ApiId": {"Ref": "Http"}, "IntegrationType": "HTTP_PROXY", "IntegrationMethod": "ANY",
                "ConnectionType": "VPC_LINK", "ConnectionId": {"Ref": "Link"},
                "IntegrationUri": {"Ref": "AlbListener"}, "PayloadFormatVersion": "1.0"}},
        "PublicIntegration": {"Type": "AWS::ApiGatewayV2::Integration",
            "Properties": {"ApiId": {"Ref": "Http"}, "IntegrationType": "HTTP_PROXY", "IntegrationMethod": "ANY",
                "IntegrationUri": "https://legacy.example.org", "PayloadFormatVersion": "1.0"}},
        "GetItems": {"Type": "AWS::ApiGatewayV2::Route",
            "Properties": {"ApiId": {"Ref": "Http"}, "RouteKey": "GET /items",
                "Target": {"Fn::Join": ["/", ["integrations", {"Ref": "LambdaIntegration"}]]}}},
        "PutItem": {"Type": "AWS::ApiGatewayV2::Route",
            "Properties": {"ApiId": {"Ref": "Http"}, "RouteKey": "PUT /items/{id}", "AuthorizationType": "JWT",
                "Target": {"Fn::Sub": "integrations/${PrivateIntegration}"}}},
        "Default": {"Type": "AWS::ApiGatewayV2::Route",
            "Properties": {"ApiId": {"Ref": "Http"}, "RouteKey": "$default",
                "Target": {"Fn::Sub": "integrations/${PublicIntegration}"}}},
        "Stage": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {"ApiId": {"Ref": "Http"}, "StageName": "$default", "AutoDeploy": true}},
        "Link": {"Type": "AWS::ApiGatewayV2::VpcLink", "Properties": {"Name": "l", "SubnetIds": ["subnet-1"]}},
        "Alb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Scheme": "internal", "Subnets": ["subnet-1"]}},
        "AlbListener": {"Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {"LoadBalancerArn": {"Ref": "Alb"}, "Port": 80, "Protocol": "HTTP",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}]}},
        "Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Port": 8000, "Protocol": "HTTP", "VpcId": "vpc-1"}},
        "ItemsFn": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "nodejs20.x", "Handler": "i.h", "Role": "arn:aws:iam::123456789012:role/fn", "Code": {"ZipFile": "x"}}},
        "Quick": {"Type": "AWS::ApiGatewayV2::Api",
            "Properties": {"Name": "quick", "ProtocolType": "HTTP", "Target": {"Fn::GetAtt": ["ItemsFn", "Arn"]}}},
        "FromBody": {"Type": "AWS::ApiGatewayV2::Api",
            "Properties": {"Body": {"openapi": "3.0.1", "info": {"title": "b", "version": "1"},
                "paths": {"/proxy/{proxy+}": {"x-amazon-apigateway-any-method": {
                    "x-amazon-apigateway-integration": {"type": "http_proxy", "httpMethod": "ANY",
                        "uri": "https://origin.example.net/{proxy}", "payloadFormatVersion": "1.0"}}}}}}},
        "FromBodyStage": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {"ApiId": {"Ref": "FromBody"}, "StageName": "live"}}
    }});
    let s = surface(&t);
    let got: Vec<(&str, &str, &str, Option<&str>)> = s
        .routes
        .iter()
        .map(|r| {
            (
                r.api.as_str(),
                r.method.as_str(),
                r.path.as_str(),
                r.stage.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("FromBody", "ANY", "/proxy/{proxy+}", Some("live")),
            ("Http", "ANY", "$default", Some("$default")),
            ("Http", "GET", "/items", Some("$default")),
            ("Http", "PUT", "/items/{id}", Some("$default")),
            ("Quick", "ANY", "$default", Some("$default")),
        ]
    );
    assert!(s.routes.iter().all(|r| r.api_type == ApiType::Http));
    let find = |api: &str, m: &str| {
        s.routes
            .iter()
            .find(|r| r.api == api && r.method == m)
            .unwrap()
    };
    assert!(matches!(
        &find("Http", "GET").integration,
        Integration::Lambda { function: Some(f), .. } if f == "ItemsFn"
    ));
    assert_eq!(find("Http", "PUT").authorization, "JWT");
    assert_eq!(
        find("Http", "PUT").integration,
        Integration::VpcLink {
            vpc_link: "Link".into(),
            load_balancer: Some("Alb".into()),
            internal: Some(true),
            listener_port: Some(80),
            target_group: Some("Tg".into()),
            target_group_port: Some(8000),
            uri: Some("${AlbListener}".into()),
        }
    );
    assert_eq!(
        find("Http", "ANY").integration,
        Integration::Http {
            uri: Some("https://legacy.example.org".into())
        }
    );
    assert!(matches!(
        &find("Quick", "ANY").integration,
        Integration::Lambda { function: Some(f), .. } if f == "ItemsFn"
    ));
    assert!(s.load_balancers.is_empty());
}

#[test]
fn unknown_types_are_listed_not_passed() {
    let t = json!({"Resources": {
        "A": {"Type": "AWS::Foo::Bar"},
        "B": {"Type": "AWS::Foo::Bar", "Properties": {}},
        "C": {"Type": "AWS::Foo::Bar"},
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Nested": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "https://x"}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}}
    }});
    let s = surface(&t);
    let got: Vec<(&str, usize, Vec<&str>)> = s
        .not_analyzed
        .iter()
        .map(|n| {
            (
                n.resource_type.as_str(),
                n.count,
                n.resources.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("AWS::CloudFormation::Stack", 1, vec!["Nested"]),
            ("AWS::Foo::Bar", 3, vec!["A", "B", "C"]),
        ]
    );
    assert!(s.is_private());
    let table = render_table(&s);
    assert!(table.contains("AWS::Foo::Bar (3): A, B, C"), "{table}");
    assert!(!table.contains("AWS::IAM::Role"), "{table}");
}

#[test]
fn public_ips_from_services_instances_and_eips() {
    let t = json!({"Resources": {
        "Public": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24", "MapPublicIpOnLaunch": true}},
        "Private": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24"}},
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Igw": {"Type": "AWS::EC2::InternetGateway"},
        "Attach": {"Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}}},
        "Rt": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
        "V6": {"Type": "AWS::EC2::Route", "Properties": {"RouteTableId": {"Ref": "Rt"}, "DestinationIpv6CidrBlock": "::/0", "GatewayId": {"Ref": "Igw"}}},
        "Assoc": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": "Public"}, "RouteTableId": {"Ref": "Rt"}}},
        "Web": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "ami-1", "SubnetId": {"Ref": "Public"}}},
        "Db": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "ami-1", "SubnetId": {"Ref": "Private"}}},
        "Bastion": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "ami-1",
            "NetworkInterfaces": [{"DeviceIndex": "0", "SubnetId": {"Ref": "Private"}, "AssociatePublicIpAddress": "true"}]}},
        "Default": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "ami-1"}},
        "Elsewhere": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "ami-1", "SubnetId": {"Ref": "SubnetParam"}}},
        "DbIp": {"Type": "AWS::EC2::EIP", "Properties": {"InstanceId": {"Ref": "Db"}}},
        "Svc": {"Type": "AWS::ECS::Service", "Properties": {"NetworkConfiguration": {"AwsvpcConfiguration": {
            "AssignPublicIp": "ENABLED", "Subnets": [{"Ref": "Public"}]}}}},
        "Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": true}]}}}
    }, "Parameters": {"SubnetParam": {"Type": "AWS::EC2::Subnet::Id"}}});
    let s = surface(&t);
    let got: Vec<(Kind, &str)> = s
        .public_ips
        .iter()
        .map(|p| (p.kind, p.resource.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Kind::EcsService, "Svc"),
            (Kind::Instance, "Bastion"),
            (Kind::Instance, "Default"),
            (Kind::Instance, "Web"),
            (Kind::ElasticIp, "DbIp"),
            (Kind::LaunchTemplate, "Lt"),
        ]
    );
    assert_eq!(s.public_subnets.len(), 1);
    assert_eq!(s.public_subnets[0].destination, "::/0");
    assert_eq!(s.public_subnets[0].gateway, "Igw");
    assert_eq!(s.gaps.len(), 1);
    assert_eq!(s.gaps[0].resource, "Elsewhere");
}

#[test]
fn json_output_round_trips_with_stable_names() {
    let template: Value = serde_json::from_str(FLASK_API).unwrap();
    let report = audit(&template, None).unwrap();
    let text = to_json(&report).unwrap();
    let back: Report = serde_json::from_str(&text).unwrap();
    assert_eq!(back, report);

    let s = audit_template_str(ORIGINAL_POST).unwrap();
    let back: Surface = serde_json::from_str(&to_json(&s).unwrap()).unwrap();
    assert_eq!(back, s);

    let v: Value = serde_json::from_str(&text).unwrap();
    let route = &v["surface"]["routes"][0];
    assert_eq!(route["method"], "GET");
    assert_eq!(route["path"], "/{person}/{firstname}");
    assert_eq!(route["stage"], "v1");
    assert_eq!(route["apiType"], "rest");
    assert_eq!(route["integration"]["type"], "vpcLink");
    assert_eq!(route["integration"]["listenerPort"], 80);
    assert_eq!(route["integration"]["targetGroupPort"], 80);
    assert_eq!(v["surface"]["publicIps"][0]["kind"], "natGateway");
    for key in [
        "routes",
        "privateApis",
        "loadBalancers",
        "openIngress",
        "publicSubnets",
        "publicIps",
        "gaps",
        "notAnalyzed",
        "resourceCount",
    ] {
        assert!(v["surface"].get(key).is_some(), "{key}");
    }
    assert_eq!(v["findings"], json!([]));
}

#[test]
fn inputs_that_are_not_templates_are_errors() {
    assert!(matches!(
        audit_template_str("Resources:\n  A:\n    Type: AWS::S3::Bucket\n"),
        Err(Error::NotJson { .. })
    ));
    assert!(matches!(
        audit_template(&json!([1, 2])),
        Err(Error::NotATemplate(_))
    ));
    assert!(matches!(
        audit_template(&json!({"Outputs": {}})),
        Err(Error::NotATemplate(_))
    ));
    assert!(matches!(
        audit_template(&json!({"Resources": {"A": {"Properties": {}}}})),
        Err(Error::InvalidResource { .. })
    ));
    // Odd property values are not errors: they are unknowns.
    let s = audit_template(&json!({"Resources": {
        "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Scheme": {"Ref": "SchemeParam"}}},
        "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": "not a list"}},
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": {"Fn::Transform": {"Name": "AWS::Include"}}}},
        "M": {"Type": "AWS::ApiGateway::Method", "Properties": {"RestApiId": 3, "ResourceId": [], "HttpMethod": null}}
    }}))
    .unwrap();
    assert_eq!(
        s.load_balancers.len(),
        1,
        "a scheme only known at deploy time counts as public"
    );
    assert!(s.gaps.iter().any(|g| g.resource == "Lb"));
    assert!(s.gaps.iter().any(|g| g.resource == "Api"));
    assert!(s.gaps.iter().any(|g| g.resource == "M"));
}

#[test]
fn lambda_function_urls_and_permissions() {
    let t = json!({"Resources": {
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": "arn:aws:iam::1:role/r", "Code": {"ZipFile": "x"}}},
        "Url": {"Type": "AWS::Lambda::Url", "Properties": {"AuthType": "NONE", "TargetFunctionArn": {"Fn::GetAtt": ["Fn", "Arn"]}}},
        "UrlPermission": {"Type": "AWS::Lambda::Permission", "Properties": {"Action": "lambda:InvokeFunctionUrl",
            "FunctionName": {"Ref": "Fn"}, "Principal": "*", "FunctionUrlAuthType": "NONE"}},
        "FromApi": {"Type": "AWS::Lambda::Permission", "Properties": {"Action": "lambda:InvokeFunction",
            "FunctionName": {"Ref": "Fn"}, "Principal": "apigateway.amazonaws.com"}},
        "FromAccount": {"Type": "AWS::Lambda::Permission", "Properties": {"Action": "lambda:InvokeFunction",
            "FunctionName": {"Ref": "Fn"}, "Principal": "123456789012"}}
    }});
    let s = surface(&t);
    assert_eq!(s.routes.len(), 1);
    let url = &s.routes[0];
    assert_eq!(url.api_type, ApiType::FunctionUrl);
    assert_eq!(
        (
            url.method.as_str(),
            url.path.as_str(),
            url.authorization.as_str()
        ),
        ("ANY", "/*", "NONE")
    );
    assert!(matches!(&url.integration, Integration::Lambda { function: Some(f), .. } if f == "Fn"));
    assert_eq!(url.describe(), "ANY /* (Lambda function URL Url)");
    // another account's permission is who may invoke, not a gap
    assert!(s.gaps.is_empty(), "{:?}", s.gaps);
    let invokers: Vec<(&str, &str, &str)> = s
        .access
        .iter()
        .map(|a| (a.principal.as_str(), a.intent.as_str(), a.via.as_str()))
        .collect();
    assert_eq!(
        invokers,
        [
            ("123456789012", "invoke", "FromAccount"),
            ("apigateway.amazonaws.com", "invoke", "FromApi")
        ]
    );
    assert!(s.not_analyzed.is_empty());
}

#[test]
fn endpoint_type_from_a_parameter_counts_as_public() {
    // As in aws-cloudformation-templates' APIGateway/apigateway_lambda_integration.json.
    let t = json!({"Parameters": {"ApiType": {"Type": "String", "AllowedValues": ["EDGE", "REGIONAL", "PRIVATE"]}},
        "Resources": {
        "RestApi": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "MyApi", "EndpointConfiguration": {"Types": [{"Ref": "ApiType"}]}}},
        "ApiResource": {"Type": "AWS::ApiGateway::Resource", "Properties": {"ParentId": {"Fn::GetAtt": ["RestApi", "RootResourceId"]}, "RestApiId": {"Ref": "RestApi"}, "PathPart": "{city}"}},
        "ApiMethod": {"Type": "AWS::ApiGateway::Method", "Properties": {"HttpMethod": "ANY", "AuthorizationType": "NONE",
            "Integration": {"IntegrationHttpMethod": "POST", "Type": "AWS",
                "Uri": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":apigateway:", {"Ref": "AWS::Region"}, ":lambda:path/2015-03-31/functions/", {"Fn::GetAtt": ["LambdaFunction", "Arn"]}, "/invocations"]]}},
            "ResourceId": {"Ref": "ApiResource"}, "RestApiId": {"Ref": "RestApi"}}},
        "LambdaFunction": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["LambdaIamRole", "Arn"]}}},
        "LambdaIamRole": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "LambdaRole"}}
    }});
    let s = surface(&t);
    assert_eq!(routes(&s), vec![r("ANY", "/{city}", None)]);
    assert!(
        matches!(&s.routes[0].integration, Integration::Lambda { function: Some(f), .. } if f == "LambdaFunction")
    );
    let gaps: Vec<&str> = s.gaps.iter().map(|g| g.reason.as_str()).collect();
    assert_eq!(gaps.len(), 2, "{gaps:?}");
    assert!(gaps.iter().any(|g| g.contains("endpoint types")));
    assert!(gaps.iter().any(|g| g.contains("no stage")));
    assert!(render_table(&s).contains("(none)  ANY     /{city}"));
}

#[test]
fn transforms_are_gaps_not_errors() {
    let t = json!({"Transform": ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"], "Resources": {
        "Fn::ForEach::Topics": ["Name", ["A", "B"], {"Topic${Name}": {"Type": "AWS::SNS::Topic"}}],
        "Api": {"Type": "AWS::Serverless::Api", "Properties": {"StageName": "prod"}}
    }});
    let s = surface(&t);
    let gaps: Vec<&str> = s.gaps.iter().map(|g| g.resource.as_str()).collect();
    assert_eq!(gaps, vec!["(template)", "Fn::ForEach::Topics"]);
    assert_eq!(s.not_analyzed[0].resource_type, "AWS::Serverless::Api");
}

#[test]
fn stage_variables_resolve_per_stage_and_unset_ones_are_gaps() {
    // the body names the link and the host through stage variables (as cloudwright's
    // PublicApi writes it); each stage points them at its own load balancer
    let body = json!({"openapi": "3.0.1", "paths": {"/{person}": {"get": {
        "x-amazon-apigateway-integration": {"type": "http_proxy", "connectionType": "VPC_LINK",
            "connectionId": "${stageVariables.vpcLinkId}", "httpMethod": "GET",
            "uri": "http://${stageVariables.loadBalancerDns}:80/{person}"}}}}});
    let nlb = json!({"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "Properties": {"Scheme": "internal", "Type": "network", "Subnets": ["subnet-1"]}});
    let t = json!({"Resources": {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "people", "Body": body}},
        "Deployment": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": {"Ref": "Api"}}},
        "Blue": {"Type": "AWS::ApiGateway::Stage", "Properties": {"StageName": "blue",
            "RestApiId": {"Ref": "Api"}, "DeploymentId": {"Ref": "Deployment"},
            "Variables": {"vpcLinkId": {"Ref": "BlueLink"},
                "loadBalancerDns": {"Fn::GetAtt": ["BlueNlb", "DNSName"]}}}},
        "Green": {"Type": "AWS::ApiGateway::Stage", "Properties": {"StageName": "green",
            "RestApiId": {"Ref": "Api"}, "DeploymentId": {"Ref": "Deployment"},
            "Variables": {"vpcLinkId": {"Ref": "GreenLink"},
                "loadBalancerDns": {"Fn::GetAtt": ["GreenNlb", "DNSName"]}}}},
        "Bare": {"Type": "AWS::ApiGateway::Stage", "Properties": {"StageName": "bare",
            "RestApiId": {"Ref": "Api"}, "DeploymentId": {"Ref": "Deployment"}}},
        "BlueLink": {"Type": "AWS::ApiGateway::VpcLink", "Properties": {"Name": "b", "TargetArns": [{"Ref": "BlueNlb"}]}},
        "GreenLink": {"Type": "AWS::ApiGateway::VpcLink", "Properties": {"Name": "g", "TargetArns": [{"Ref": "GreenNlb"}]}},
        "BlueNlb": nlb.clone(),
        "GreenNlb": nlb,
        "BlueListener": {"Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {"LoadBalancerArn": {"Ref": "BlueNlb"}, "Port": 80, "Protocol": "TCP",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "BlueTg"}}]}},
        "GreenListener": {"Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {"LoadBalancerArn": {"Ref": "GreenNlb"}, "Port": 80, "Protocol": "TCP",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "GreenTg"}}]}},
        "BlueTg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Port": 8080, "Protocol": "TCP", "VpcId": "vpc-1"}},
        "GreenTg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Port": 9090, "Protocol": "TCP", "VpcId": "vpc-1"}}
    }});
    let s = surface(&t);
    assert_eq!(
        routes(&s),
        vec![
            r("GET", "/{person}", Some("bare")),
            r("GET", "/{person}", Some("blue")),
            r("GET", "/{person}", Some("green")),
        ]
    );
    let on = |stage: &str| {
        s.routes
            .iter()
            .find(|x| x.stage.as_deref() == Some(stage))
            .unwrap()
            .integration
            .clone()
    };
    for (stage, color, port) in [("blue", "Blue", 8080), ("green", "Green", 9090)] {
        assert_eq!(
            on(stage),
            Integration::VpcLink {
                vpc_link: format!("{color}Link"),
                load_balancer: Some(format!("{color}Nlb")),
                internal: Some(true),
                listener_port: Some(80),
                target_group: Some(format!("{color}Tg")),
                target_group_port: Some(port),
                uri: Some(format!("http://${{{color}Nlb.DNSName}}:80/{{person}}")),
            },
            "{stage}"
        );
    }
    // a stage that sets neither: where it goes is unknown, and said to be
    match on("bare") {
        Integration::VpcLink {
            vpc_link,
            load_balancer,
            ..
        } => {
            assert_eq!(vpc_link, "${stageVariables.vpcLinkId}");
            assert_eq!(load_balancer, None);
        }
        other => panic!("{other:?}"),
    }
    let gaps: Vec<&str> = s.gaps.iter().map(|g| g.reason.as_str()).collect();
    assert_eq!(gaps.len(), 2, "{gaps:?}");
    for name in ["vpcLinkId", "loadBalancerDns"] {
        let expected = format!("stage `bare` does not set the stage variable `{name}`");
        assert!(gaps.iter().any(|g| g.contains(&expected)), "{gaps:?}");
    }
    assert!(s.gaps.iter().all(|g| g.resource == "Api"));
}
