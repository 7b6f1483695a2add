//! The words the generated pages are made of: whole articles as provincial portals publish them,
//! and the titles their side boxes list. Written for this corpus (none comes from a fixture), so
//! an extractor tuned on the fixtures cannot have seen them.

/// One article: every field a reader would name on its page.
pub struct Story {
    pub slug: &'static str,
    pub title: &'static str,
    pub lead: &'static str,
    /// The lead image's caption.
    pub caption: &'static str,
    /// The caption of a photo that closes the article (text dumps keep it as a line of the body).
    pub closing_caption: &'static str,
    pub paragraphs: &'static [&'static str],
    pub author: &'static str,
    pub tags: &'static [&'static str],
}

pub const STORIES: &[Story] = &[
    Story {
        slug: "cho-don-duoc-lieu",
        title: "Chợ Đồn: Mở rộng diện tích trồng cây dược liệu dưới tán rừng",
        lead: "Năm 2024, huyện Chợ Đồn đặt mục tiêu trồng mới 120 ha cây dược liệu dưới tán rừng, gắn phát triển kinh tế với bảo vệ rừng và nâng cao thu nhập cho người dân vùng cao.",
        caption: "Người dân xã Bản Thi chăm sóc cây sa nhân tím dưới tán rừng",
        closing_caption: "Sa nhân tím sau thu hoạch được sơ chế, sấy khô tại hợp tác xã",
        paragraphs: &[
            "Chợ Đồn là huyện có diện tích rừng lớn nhất tỉnh, độ che phủ đạt trên 76%. Những năm gần đây, nhiều hộ dân tại các xã Bản Thi, Xuân Lạc, Đồng Lạc đã mạnh dạn chuyển một phần diện tích rừng sản xuất sang trồng sa nhân tím, ba kích, giảo cổ lam dưới tán rừng, vừa giữ được rừng vừa có thêm nguồn thu ổn định.",
            "Theo Phòng Nông nghiệp và Phát triển nông thôn huyện, đến hết năm 2023 toàn huyện có khoảng 350 ha cây dược liệu, trong đó diện tích trồng dưới tán rừng chiếm hơn một nửa. Năng suất sa nhân tím bình quân đạt 250 kg quả khô mỗi héc-ta, giá bán từ 180.000 đến 220.000 đồng một kilôgam, cho thu nhập cao gấp nhiều lần so với trồng ngô trên đất dốc.",
            "Ông Hoàng Văn Dũng, thôn Khuổi Ha, xã Bản Thi cho biết, gia đình ông trồng hơn 2 ha sa nhân tím từ năm 2019. Cây ưa bóng, ít sâu bệnh, mỗi năm chỉ cần phát dọn cỏ hai lần nên không tốn nhiều công chăm sóc. Vụ thu hoạch năm ngoái, gia đình ông thu về gần 100 triệu đồng.",
            "Để phát triển vùng nguyên liệu bền vững, huyện phối hợp với các doanh nghiệp ký hợp đồng bao tiêu sản phẩm, hỗ trợ giống và hướng dẫn kỹ thuật sơ chế, sấy khô theo tiêu chuẩn. Huyện cũng khuyến khích các hợp tác xã xây dựng sản phẩm OCOP từ dược liệu, từng bước tạo thương hiệu cho nông sản địa phương./.",
        ],
        author: "Thu Cúc",
        tags: &["dược liệu", "kinh tế dưới tán rừng", "sa nhân tím"],
    },
    Story {
        slug: "ba-be-duong-258",
        title: "Khởi công cải tạo, nâng cấp đường tỉnh 258 đoạn qua huyện Ba Bể",
        lead: "Sáng 15/3, Sở Giao thông vận tải tổ chức lễ khởi công dự án cải tạo, nâng cấp đường tỉnh 258 đoạn từ thị trấn Chợ Rã đi Khu du lịch quốc gia Ba Bể với tổng mức đầu tư gần 300 tỷ đồng.",
        caption: "Các đại biểu thực hiện nghi thức khởi công dự án",
        closing_caption: "Mặt đường tỉnh 258 nhiều đoạn đã xuống cấp nghiêm trọng",
        paragraphs: &[
            "Dự án có chiều dài tuyến hơn 18 km, điểm đầu giao với quốc lộ 279 tại thị trấn Chợ Rã, điểm cuối tại bến thuyền Buốc Lốm thuộc xã Nam Mẫu. Tuyến đường được thiết kế theo tiêu chuẩn đường cấp IV miền núi, nền đường rộng 7,5 m, mặt đường bê tông nhựa rộng 5,5 m, kèm theo hệ thống thoát nước, biển báo và cọc tiêu.",
            "Đường tỉnh 258 là tuyến giao thông huyết mạch nối trung tâm huyện Ba Bể với Vườn quốc gia Ba Bể, hằng năm đón hàng trăm nghìn lượt khách du lịch. Sau nhiều năm khai thác, mặt đường đã xuống cấp, nhiều đoạn hẹp, quanh co, tiềm ẩn nguy cơ mất an toàn giao thông, nhất là vào mùa mưa lũ.",
            "Phát biểu tại lễ khởi công, lãnh đạo UBND tỉnh yêu cầu chủ đầu tư và các nhà thầu tập trung nhân lực, máy móc, thi công đúng tiến độ, bảo đảm chất lượng công trình và vệ sinh môi trường. Chính quyền địa phương phối hợp làm tốt công tác giải phóng mặt bằng, vận động người dân ủng hộ dự án.",
            "Dự án dự kiến hoàn thành trong năm 2026. Khi đưa vào sử dụng, tuyến đường sẽ rút ngắn thời gian di chuyển từ trung tâm huyện đến hồ Ba Bể, tạo động lực thúc đẩy phát triển du lịch và giao thương hàng hóa của người dân các xã phía Tây huyện.",
            "Trong thời gian thi công, nhà thầu bố trí người hướng dẫn, phân luồng tại các điểm giao cắt, bảo đảm việc đi lại của người dân và du khách. Các phương tiện lưu thông qua khu vực công trường được đề nghị giảm tốc độ, chấp hành sự hướng dẫn của lực lượng chức năng./.",
        ],
        author: "Đức Anh",
        tags: &["đường tỉnh 258", "giao thông Ba Bể"],
    },
    Story {
        slug: "lao-cai-tiem-chung",
        title: "Lào Cai: Phấn đấu 95% trẻ em dưới 1 tuổi được tiêm chủng đầy đủ",
        lead: "Ngành y tế Lào Cai triển khai đồng bộ nhiều giải pháp để đưa vắc xin đến với trẻ em vùng sâu, vùng xa, phấn đấu duy trì tỷ lệ tiêm chủng đầy đủ đạt trên 95%.",
        caption: "Cán bộ Trạm Y tế xã Bản Khoang tiêm vắc xin cho trẻ tại điểm tiêm lưu động",
        closing_caption: "Phụ huynh đưa trẻ đến tiêm chủng tại Trạm Y tế xã Tả Phìn",
        paragraphs: &[
            "Năm 2023, toàn tỉnh có hơn 13.500 trẻ em dưới 1 tuổi được tiêm chủng đầy đủ các loại vắc xin trong Chương trình tiêm chủng mở rộng, đạt 94,2% kế hoạch. Một số huyện vùng cao như Bát Xát, Si Ma Cai, Mường Khương còn gặp khó khăn do địa bàn rộng, dân cư thưa thớt và nguồn cung ứng vắc xin có thời điểm gián đoạn.",
            "Để khắc phục, Trung tâm Kiểm soát bệnh tật tỉnh chỉ đạo các trạm y tế tổ chức các buổi tiêm lưu động tại thôn, bản, rà soát từng đối tượng chưa tiêm hoặc tiêm chưa đủ mũi để tiêm bù. Đội ngũ nhân viên y tế thôn bản được giao nhiệm vụ đến từng nhà vận động, nhắc lịch tiêm cho các gia đình.",
            "Bà Lù Thị Mai, Trưởng trạm Y tế xã Bản Khoang cho biết, nhiều phụ huynh trước đây còn e ngại phản ứng sau tiêm nên không đưa con đi tiêm. Nhờ kiên trì tuyên truyền bằng tiếng dân tộc, đến nay hầu hết các gia đình đã chủ động đưa trẻ đến trạm y tế đúng lịch.",
            "Ngành y tế cũng đẩy mạnh ứng dụng phần mềm quản lý thông tin tiêm chủng quốc gia, giúp theo dõi lịch sử tiêm của từng trẻ và gửi tin nhắn nhắc lịch đến phụ huynh. Công tác bảo quản vắc xin theo dây chuyền lạnh được kiểm tra thường xuyên, bảo đảm an toàn tiêm chủng./.",
        ],
        author: "Phương Thảo",
        tags: &["tiêm chủng mở rộng", "y tế cơ sở"],
    },
    Story {
        slug: "yen-bai-dich-vu-cong",
        title: "Yên Bái: Đưa dịch vụ công trực tuyến toàn trình đến gần người dân",
        lead: "Nhiều xã, phường trên địa bàn tỉnh Yên Bái thành lập tổ công nghệ số cộng đồng, hướng dẫn người dân nộp hồ sơ, thanh toán phí, lệ phí trực tuyến ngay tại nhà.",
        caption: "Thành viên tổ công nghệ số cộng đồng hướng dẫn người dân cài đặt ứng dụng VNeID",
        closing_caption: "Bộ phận một cửa phường Nguyễn Thái Học tiếp nhận hồ sơ trực tuyến",
        paragraphs: &[
            "Toàn tỉnh hiện có hơn 1.300 tổ công nghệ số cộng đồng với trên 8.000 thành viên. Các tổ tập trung hướng dẫn người dân cài đặt và sử dụng các ứng dụng thiết yếu như VNeID, ví điện tử, tài khoản ngân hàng, đồng thời hỗ trợ thực hiện các thủ tục hành chính trên Cổng dịch vụ công quốc gia.",
            "Tại phường Nguyễn Thái Học, thành phố Yên Bái, tỷ lệ hồ sơ nộp trực tuyến trong quý I đạt gần 80%. Anh Trần Văn Hải, tổ dân phố số 5 cho biết, trước đây mỗi lần làm giấy tờ phải xin nghỉ làm nửa ngày, nay chỉ cần vài phút thao tác trên điện thoại là hồ sơ đã được tiếp nhận.",
            "Để nâng cao chất lượng dịch vụ công trực tuyến, UBND tỉnh chỉ đạo các sở, ngành rà soát, tái cấu trúc quy trình, cắt giảm thành phần hồ sơ, bảo đảm người dân chỉ phải cung cấp thông tin một lần. Kết quả giải quyết thủ tục được trả qua dịch vụ bưu chính công ích hoặc trên môi trường điện tử.",
            "Mục tiêu đến cuối năm 2024, tỷ lệ hồ sơ được xử lý trực tuyến toàn trình trên địa bàn tỉnh đạt trên 50%, 100% kết quả giải quyết thủ tục hành chính được số hóa. Các địa phương tiếp tục tổ chức các đợt cao điểm hướng dẫn tại nhà văn hóa thôn, tổ dân phố vào các ngày cuối tuần./.",
        ],
        author: "Lê Hùng",
        tags: &["chuyển đổi số", "dịch vụ công trực tuyến"],
    },
    Story {
        slug: "mu-cang-chai-mua-vang",
        title: "Mùa vàng Mù Cang Chải hút khách trong và ngoài nước",
        lead: "Mới đầu tháng Chín, hàng nghìn lượt du khách đã đổ về Mù Cang Chải để chiêm ngưỡng những thửa ruộng bậc thang đang vào độ chín vàng đẹp nhất trong năm.",
        caption: "Ruộng bậc thang xã La Pán Tẩn vào mùa lúa chín",
        closing_caption: "Du khách chụp ảnh lưu niệm tại đồi Mâm Xôi",
        paragraphs: &[
            "Ruộng bậc thang Mù Cang Chải được xếp hạng Di tích quốc gia đặc biệt với diện tích hơn 2.200 ha, phân bố chủ yếu tại các xã La Pán Tẩn, Chế Cu Nha, Dế Xu Phình. Vào mùa lúa chín, cả thung lũng như khoác lên mình tấm áo vàng óng, thu hút đông đảo du khách và những người yêu nhiếp ảnh.",
            "Năm nay, huyện tổ chức chuỗi sự kiện Tuần Văn hóa - Du lịch với nhiều hoạt động hấp dẫn như lễ hội dù lượn, thi giã bánh giầy, trình diễn trang phục dân tộc Mông và chợ phiên vùng cao. Các homestay tại trung tâm huyện và các xã lân cận đã kín phòng vào những ngày cuối tuần.",
            "Chị Giàng Thị Mỷ, chủ một homestay ở xã Lao Chải, cho biết gia đình chị đầu tư thêm 5 phòng nghỉ và dịch vụ ẩm thực truyền thống để phục vụ khách. Thu nhập từ du lịch giờ đã cao hơn nhiều so với chỉ làm ruộng, làm nương như trước.",
            "Để bảo đảm an toàn cho du khách, lực lượng công an, quân sự huyện tăng cường tuần tra, hướng dẫn giao thông trên quốc lộ 32, nhất là đoạn qua đèo Khau Phạ. Ban quản lý di tích cũng lắp đặt thêm biển chỉ dẫn, khu vệ sinh công cộng tại các điểm ngắm cảnh.",
            "Ngành du lịch huyện đặt mục tiêu năm 2024 đón trên 250.000 lượt khách, doanh thu đạt khoảng 350 tỷ đồng, trong đó khách quốc tế chiếm khoảng 15%. Huyện cũng phối hợp với các công ty lữ hành xây dựng những tour trải nghiệm gắn với văn hóa bản địa./.",
        ],
        author: "Hồng Duyên",
        tags: &["ruộng bậc thang", "du lịch Yên Bái"],
    },
    Story {
        slug: "ha-giang-mua-lu",
        title: "Hà Giang: Chủ động ứng phó với mưa lũ, sạt lở đất",
        lead: "Trước diễn biến phức tạp của thời tiết, các địa phương trong tỉnh đã rà soát khu vực có nguy cơ sạt lở, chuẩn bị sẵn sàng lực lượng, phương tiện để ứng phó khi có mưa lớn.",
        caption: "Lực lượng chức năng khắc phục điểm sạt lở trên quốc lộ 4C",
        closing_caption: "Máy xúc được bố trí thường trực tại điểm có nguy cơ sạt lở",
        paragraphs: &[
            "Theo Ban Chỉ huy Phòng, chống thiên tai và Tìm kiếm cứu nạn tỉnh, từ đầu mùa mưa đến nay trên địa bàn đã xảy ra 12 trận mưa lớn kèm theo lốc, mưa đá, làm hư hỏng gần 300 ngôi nhà, hàng chục héc-ta hoa màu và gây sạt lở nhiều tuyến đường giao thông.",
            "Các huyện Hoàng Su Phì, Xín Mần, Bắc Mê đã hoàn thành rà soát các hộ dân sống ven sông, suối, dưới chân taluy dương có nguy cơ cao, lập danh sách di dời khẩn cấp khi có cảnh báo. Mỗi xã thành lập đội xung kích phòng chống thiên tai, sẵn sàng hỗ trợ người dân sơ tán tài sản.",
            "Ngành giao thông bố trí máy móc, vật tư tại các điểm thường xuyên sạt lở trên quốc lộ 4C, quốc lộ 34 và các tuyến đường tỉnh để kịp thời thông xe. Lực lượng công an, quân đội được huy động hỗ trợ người dân khắc phục hậu quả, dọn dẹp nhà cửa sau mưa lũ.",
            "UBND tỉnh yêu cầu các địa phương không để người dân đi qua ngầm, tràn khi nước lũ dâng cao, tuyệt đối không chủ quan, lơ là trong công tác phòng chống thiên tai. Thông tin cảnh báo được phát liên tục trên hệ thống loa truyền thanh cơ sở và nhóm tin nhắn của thôn, bản./.",
        ],
        author: "Minh Tuấn",
        tags: &["phòng chống thiên tai", "sạt lở đất"],
    },
    Story {
        slug: "cao-bang-lang-huong",
        title: "Cao Bằng: Giữ nghề làm hương truyền thống ở làng Phja Thắp",
        lead: "Những ngày cuối năm, làng hương Phja Thắp, xã Quốc Dân, huyện Quảng Hòa lại rộn ràng vào vụ, nhuộm đỏ cả con đường dẫn vào bản bằng những bó chân hương phơi khô.",
        caption: "Người dân làng Phja Thắp phơi hương trước sân nhà",
        closing_caption: "Hương thành phẩm được đóng gói cẩn thận trước khi xuất bán",
        paragraphs: &[
            "Làng Phja Thắp có khoảng 60 hộ người Nùng An, hầu hết đều gắn bó với nghề làm hương từ nhiều đời nay. Hương ở đây được làm hoàn toàn thủ công từ nguyên liệu tự nhiên như vỏ cây mạy hương, bột gỗ nghiến và lá thơm, không pha hóa chất nên khi đốt có mùi thơm dịu, ít khói.",
            "Bà Nông Thị Hoa, một trong những người làm hương lâu năm nhất làng, cho biết mỗi ngày gia đình bà làm được khoảng 3.000 nén. Công đoạn vất vả nhất là giã bột và se hương, đòi hỏi sự khéo léo để nén hương tròn đều, cháy hết mà không bị tắt giữa chừng.",
            "Năm 2023, sản phẩm hương Phja Thắp được công nhận đạt chuẩn OCOP 3 sao. Nhiều hộ đã mạnh dạn đầu tư máy nghiền bột, xây lò sấy để chủ động sản xuất trong những ngày mưa, đồng thời quảng bá sản phẩm qua các trang bán hàng trực tuyến.",
            "Chính quyền địa phương đang phối hợp với các đơn vị lữ hành đưa làng hương vào tuyến du lịch khám phá Công viên địa chất toàn cầu Non nước Cao Bằng. Du khách đến đây được tận mắt xem và tự tay trải nghiệm các công đoạn làm hương truyền thống./.",
        ],
        author: "Bế Thu",
        tags: &["làng nghề truyền thống", "hương Phja Thắp"],
    },
    Story {
        slug: "tuyen-quang-thu-ngan-sach",
        title: "Tuyên Quang: Thu ngân sách 5 tháng đầu năm đạt 48% dự toán",
        lead: "Tổng thu ngân sách nhà nước trên địa bàn tỉnh 5 tháng đầu năm 2024 ước đạt 1.850 tỷ đồng, bằng 48% dự toán Hội đồng nhân dân tỉnh giao và tăng 12% so với cùng kỳ.",
        caption: "Cán bộ Cục Thuế tỉnh hướng dẫn doanh nghiệp kê khai thuế điện tử",
        closing_caption: "Quang cảnh hội nghị đánh giá công tác thu ngân sách",
        paragraphs: &[
            "Trong tổng thu, thu nội địa ước đạt 1.720 tỷ đồng, thu từ hoạt động xuất nhập khẩu đạt 130 tỷ đồng. Một số khoản thu đạt khá như thu từ doanh nghiệp nhà nước địa phương, thu tiền sử dụng đất, thuế thu nhập cá nhân, lệ phí trước bạ.",
            "Cục Thuế tỉnh đã tập trung rà soát, nắm chắc nguồn thu, tăng cường thanh tra, kiểm tra chống thất thu, đôn đốc thu hồi nợ đọng thuế. Việc triển khai hóa đơn điện tử khởi tạo từ máy tính tiền tại các cửa hàng bán lẻ, nhà hàng, khách sạn cũng góp phần minh bạch doanh thu, tăng thu cho ngân sách.",
            "Tuy nhiên, một số khoản thu còn đạt thấp so với dự toán như thu từ khu vực doanh nghiệp có vốn đầu tư nước ngoài, thu phí bảo vệ môi trường đối với khai thác khoáng sản. Nguyên nhân là do nhiều doanh nghiệp gặp khó khăn về thị trường tiêu thụ, phải thu hẹp quy mô sản xuất.",
            "Thời gian tới, ngành tài chính, thuế tiếp tục tháo gỡ khó khăn cho doanh nghiệp, thực hiện kịp thời các chính sách gia hạn, miễn, giảm thuế theo quy định; đồng thời quản lý chặt chẽ chi ngân sách, bảo đảm tiết kiệm, hiệu quả, ưu tiên nguồn lực cho các công trình trọng điểm./.",
            "Ông Nguyễn Văn Sơn, Cục trưởng Cục Thuế tỉnh cho biết, ngành thuế sẽ đẩy mạnh khai thác dữ liệu hóa đơn điện tử để phát hiện sớm các trường hợp kê khai không đúng, đồng thời công khai danh sách người nộp thuế nợ đọng kéo dài trên các phương tiện thông tin đại chúng.",
        ],
        author: "Quốc Việt",
        tags: &["thu ngân sách", "Cục Thuế Tuyên Quang"],
    },
];

/// Headlines of other articles, as related-news and most-read boxes list them.
pub const OTHER_HEADLINES: &[&str] = &[
    "Na Rì ra quân trồng rừng đầu xuân",
    "Tập huấn nghiệp vụ văn thư, lưu trữ cho cán bộ cấp xã",
    "Bạch Thông phát triển sản phẩm OCOP gắn với du lịch",
    "Kiểm tra tiến độ xây dựng nông thôn mới tại xã Quang Thuận",
    "Hội thi tuyên truyền viên pháp luật giỏi năm 2024",
    "Trao 150 suất quà cho học sinh nghèo vượt khó",
    "Khai mạc giải bóng chuyền hơi nữ các dân tộc",
    "Sơ kết 6 tháng thực hiện Nghị quyết của Tỉnh ủy về phát triển du lịch",
    "Đối thoại với doanh nghiệp về thủ tục đất đai",
    "Ra mắt mô hình dân vận khéo trong làm đường giao thông nông thôn",
    "Triển khai kế hoạch phòng, chống dịch bệnh trên đàn gia súc",
    "Tổng kết công tác cải cách hành chính năm 2023",
    "Phát động cuộc thi ảnh đẹp về quê hương",
    "Hỗ trợ xây dựng nhà ở cho hộ nghèo tại huyện Pác Nặm",
    "Giao ban công tác thông tin đối ngoại quý II",
    "Trồng mới 500 ha rừng gỗ lớn trong năm 2024",
    "Tuyên dương 100 gương điển hình tiên tiến",
    "Nghiệm thu công trình nước sạch tại xã Cao Sơn",
    "Hội nghị xúc tiến đầu tư vào Khu công nghiệp Thanh Bình",
    "Khám sàng lọc miễn phí cho người cao tuổi",
    "Đoàn công tác Bộ Nông nghiệp làm việc tại huyện Ngân Sơn",
    "Bàn giao quân nhân hoàn thành nghĩa vụ về địa phương",
];

pub const MOST_READ_HEADLINES: &[&str] = &[
    "Lịch tạm ngừng cung cấp điện trên địa bàn tỉnh tuần tới",
    "Thông báo tuyển dụng viên chức ngành giáo dục năm 2024",
    "Công bố điểm chuẩn tuyển sinh vào lớp 10 công lập",
    "Bảng giá đất giai đoạn 2020 - 2024 được điều chỉnh, bổ sung",
    "Danh sách xã đạt chuẩn nông thôn mới nâng cao",
    "Cảnh báo thủ đoạn lừa đảo qua mạng xã hội",
    "Hướng dẫn đăng ký xe trực tuyến toàn trình",
    "Lễ hội Lồng tồng năm 2024 có gì mới",
];

pub const RELATED_TITLES: &[&str] = &["Các tin khác", "Tin liên quan", "Tin cùng chuyên mục", "Tin đã đưa"];
pub const MOST_READ_TITLES: &[&str] = &["Tin xem nhiều", "Tin đọc nhiều", "Xem nhiều nhất"];

/// Source credits: a line readers see at the end of the body, never an author.
pub const CREDITS: &[&str] = &[
    "Nguồn: Báo Bắc Kạn",
    "Theo TTXVN",
    "Nguồn: Báo Lào Cai điện tử",
    "Theo Báo Yên Bái",
    "Nguồn: Cổng TTĐT tỉnh Cao Bằng",
];

/// Portals the pages claim to come from: host and the name their header and footer show.
pub const PORTALS: &[(&str, &str)] = &[
    ("backan.gov.vn", "Cổng thông tin điện tử tỉnh Bắc Kạn"),
    ("laocai.gov.vn", "Cổng thông tin điện tử tỉnh Lào Cai"),
    ("yenbai.gov.vn", "Cổng thông tin điện tử tỉnh Yên Bái"),
    ("hagiang.gov.vn", "Cổng thông tin điện tử tỉnh Hà Giang"),
    ("caobang.gov.vn", "Cổng thông tin điện tử tỉnh Cao Bằng"),
    ("tuyenquang.gov.vn", "Cổng thông tin điện tử tỉnh Tuyên Quang"),
];

/// Strings of the page's furniture (toolbar, share bar, tags, comment form, footer): none may
/// reach the body.
pub const FURNITURE: &[&str] = &[
    "Tăng cỡ chữ",
    "Giảm cỡ chữ",
    "Chia sẻ",
    "Facebook",
    "Zalo",
    "In bài",
    "Gửi email",
    "Về đầu trang",
    "Từ khóa",
    "Ý kiến bạn đọc",
    "Họ và tên",
    "Gửi ý kiến",
    "biên tập trước khi đăng",
    "Cơ quan chủ quản",
    "Trang chủ",
    "PublishingPortal",
];
